"""Pure analyses: canonical frames + settings + an as-of date → result frames.

Nothing here reads or writes files, or looks at the clock.
"""
