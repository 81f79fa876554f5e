"""Client-generated, time-ordered primary keys (UUIDv7).

Generated on the client so that offline copies can merge with a team database without clashes,
and time-ordered so that B-tree inserts append instead of scattering.
"""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(int=uuid6.uuid7().int)
