"""Shift points: where the driver changed up, and where changing up would be quickest.

Observed upshifts: every increase of ``gear``; the rpm and speed are those of the last sample in
the old gear.

Optimal upshift rpm per gear, from measured acceleration: over samples at full throttle
(``throttle >= full_th``, no brake, no gear change in progress), the longitudinal acceleration
is averaged per ``bin_kmh`` speed bin in each gear. Changing up from gear ``n`` pays at the
lowest speed from which gear ``n + 1`` accelerates at least as hard as gear ``n``; that speed is
turned into rpm in gear ``n`` by the gear's measured rpm/speed ratio. When the curves never
cross over the speeds driven in both gears, the best is the highest rpm seen in gear ``n``
(hold it to the limiter).
"""

from __future__ import annotations

import polars as pl

UPSHIFT_SCHEMA: dict[str, pl.DataType] = {
    "t_s": pl.Float64(),
    "from_gear": pl.Int32(),
    "to_gear": pl.Int32(),
    "rpm": pl.Float64(),
    "speed_kmh": pl.Float64(),
}

OPTIMAL_SCHEMA: dict[str, pl.DataType] = {
    "gear": pl.Int32(),
    "optimal_rpm": pl.Float64(),
    "optimal_kmh": pl.Float64(),
    "observed_rpm": pl.Float64(),
    "rpm_delta": pl.Float64(),
    "basis": pl.String(),
}


def upshifts(df: pl.DataFrame) -> pl.DataFrame:
    """Every upshift in a frame with ``t_s``, ``gear``, ``rpm`` and ``speed_kmh``."""
    if df.is_empty() or not {"gear", "rpm", "speed_kmh"} <= set(df.columns):
        return pl.DataFrame(schema=UPSHIFT_SCHEMA)
    rows = df.select("t_s", "gear", "rpm", "speed_kmh").drop_nulls().sort("t_s")
    changed = rows.with_columns(pl.col("gear").shift(-1).alias("next_gear")).filter(
        (pl.col("next_gear") > pl.col("gear")) & (pl.col("gear") >= 1)
    )
    return changed.select(
        pl.col("t_s").cast(pl.Float64),
        pl.col("gear").cast(pl.Int32).alias("from_gear"),
        pl.col("next_gear").cast(pl.Int32).alias("to_gear"),
        pl.col("rpm").cast(pl.Float64),
        pl.col("speed_kmh").cast(pl.Float64),
    )


def shift_points(
    df: pl.DataFrame, *, full_th: float = 0.95, bin_kmh: float = 5.0, min_samples: int = 3
) -> pl.DataFrame:
    """Optimal and observed upshift rpm per gear (see the module notes).

    Args:
        df: Frames with ``t_s``, ``gear``, ``rpm``, ``speed_kmh``, ``throttle`` and ``g_long``
            (``brake`` and ``clutch`` used when present).
        full_th: Throttle from which a sample counts as full throttle.
        bin_kmh: Speed bin for the acceleration curves.
        min_samples: Fewest samples for a bin to count.

    Returns:
        Rows of :data:`OPTIMAL_SCHEMA` for every gear changed up from.
    """
    need = {"gear", "rpm", "speed_kmh", "throttle", "g_long"}
    if df.is_empty() or not need <= set(df.columns):
        return pl.DataFrame(schema=OPTIMAL_SCHEMA)
    observed = upshifts(df).group_by("from_gear").agg(pl.col("rpm").median().alias("observed_rpm"))
    full = pl.col("throttle") >= full_th
    if "brake" in df.columns:
        full = full & (pl.col("brake").fill_null(0.0) < 0.05)
    if "clutch" in df.columns:
        full = full & (pl.col("clutch").fill_null(0.0) < 0.05)
    samples = df.filter(full & (pl.col("gear") >= 1) & (pl.col("speed_kmh") > 5.0)).select(
        pl.col("gear").cast(pl.Int32),
        pl.col("rpm").cast(pl.Float64),
        pl.col("speed_kmh").cast(pl.Float64),
        pl.col("g_long").cast(pl.Float64),
    )
    if samples.is_empty():
        return pl.DataFrame(schema=OPTIMAL_SCHEMA)
    ratio = samples.group_by("gear").agg(
        (pl.col("rpm") / pl.col("speed_kmh")).median().alias("rpm_per_kmh"),
        pl.col("rpm").max().alias("max_rpm"),
    )
    curves = (
        samples.with_columns((pl.col("speed_kmh") / bin_kmh).floor().cast(pl.Int32).alias("bin"))
        .group_by("gear", "bin")
        .agg(pl.col("g_long").mean().alias("accel"), pl.len().alias("n"))
        .filter(pl.col("n") >= min_samples)
    )
    gears = sorted(set(samples["gear"].to_list()))
    rows = []
    for gear in gears:
        if gear + 1 not in gears:
            continue
        low = curves.filter(pl.col("gear") == gear).select("bin", pl.col("accel").alias("a"))
        high = curves.filter(pl.col("gear") == gear + 1).select("bin", pl.col("accel").alias("b"))
        both = low.join(high, on="bin").sort("bin")
        info = ratio.filter(pl.col("gear") == gear).row(0, named=True)
        crossing = both.filter(pl.col("b") >= pl.col("a"))
        if crossing.height:
            speed = (float(crossing["bin"][0]) + 0.5) * bin_kmh
            rpm = speed * info["rpm_per_kmh"]
            basis = "acceleration"
        else:
            rpm = info["max_rpm"]
            speed = rpm / info["rpm_per_kmh"]
            basis = "limiter"
        seen = observed.filter(pl.col("from_gear") == gear)
        seen_rpm = float(seen["observed_rpm"][0]) if seen.height else None
        rows.append(
            {
                "gear": gear,
                "optimal_rpm": rpm,
                "optimal_kmh": speed,
                "observed_rpm": seen_rpm,
                "rpm_delta": None if seen_rpm is None else seen_rpm - rpm,
                "basis": basis,
            }
        )
    return pl.DataFrame(rows, schema=OPTIMAL_SCHEMA)
