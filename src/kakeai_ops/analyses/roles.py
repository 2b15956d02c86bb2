"""A person's role in the 1on1 programme, from the accepted pairs they are in.

One rule for every place that names roles: the segment facts, the advisor scope
lists and the audiences built from them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import ROLES

__all__ = ["ROLES", "roles"]


def roles(is_manager: npt.ArrayLike, is_member: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Per person 'both', 'manager', 'member' or 'none', from whether they are in a pair
    as manager and whether as member."""
    manager = np.asarray(is_manager, dtype=bool)
    member = np.asarray(is_member, dtype=bool)
    return np.select([manager & member, manager, member], ["both", "manager", "member"], "none")
