"""kops: the 1on1 secretariat toolkit."""

__version__ = "0.1.0"
