"""Disclosure: what kops may publish, and how a hidden figure reads.

The one owner of the minimum group sizes and the sensitive topics
(``rules``), the division report's cells and their labels (``cells``), the
recoding of small units before anything is hidden (``recode``), and the
attacker's linear programme that checks a set of published figures
(``lp``, ``audit``). It imports only the base (config, errors, model), so
analyses, outputs and workflows can all ask it.
"""
