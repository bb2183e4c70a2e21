"""A small DBC for the feed and import tests: little- and big-endian, signed, scaled, an
extended id, a value table."""

from __future__ import annotations

from pathlib import Path

import cantools

SMALL_DBC = """VERSION ""

NS_ :

BS_:

BU_: ECU

BO_ 256 ENGINE: 8 ECU
 SG_ RPM : 0|16@1+ (0.25,0) [0|16383.75] "rpm" Vector__XXX
 SG_ COOLANT : 16|8@1+ (1,-40) [-40|215] "degC" Vector__XXX
 SG_ GEAR : 24|4@1+ (1,0) [0|8] "" Vector__XXX

BO_ 2566844926 WHEELS: 8 ECU
 SG_ SPEED : 7|16@0- (0.01,0) [-327.68|327.67] "km/h" Vector__XXX
 SG_ STEER : 23|16@0- (0.1,0) [-900|900] "deg" Vector__XXX

VAL_ 256 GEAR 0 "N" 1 "first" 2 "second" ;
"""

ENGINE_ID = 0x100
WHEELS_ID = 0x18FEF1FE


def write_small_dbc(directory: Path) -> Path:
    """Writes the DBC into ``directory``; returns its path."""
    path = directory / "small.dbc"
    path.write_text(SMALL_DBC)
    return path


def database() -> cantools.database.can.Database:
    """The DBC loaded with cantools (the reference values are encoded and decoded with)."""
    return cantools.database.load_string(SMALL_DBC, database_format="dbc")
