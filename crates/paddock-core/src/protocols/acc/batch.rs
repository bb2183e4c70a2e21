//! Batch decoding of ACC messages into one Arrow `RecordBatch` per message type. Columns:
//! `ts_ns`, then the fields in wire order; each LapInfo flattened as `<lap>_laptime_ms`,
//! `<lap>_car_index`, `<lap>_driver_index`, `<lap>_splits` (List<Int32>), `<lap>_is_invalid`,
//! `<lap>_is_valid_for_best`, `<lap>_is_outlap`, `<lap>_is_inlap`; lists of numbers and strings
//! as Arrow lists; drivers as one list column per driver field; camera sets as
//! `camera_set_names` (List<Utf8>) and `cameras` (List<Utf8> of `set/camera`).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::{
    ArrowPrimitiveType, Float32Type, Int32Type, Int64Type, UInt16Type, UInt8Type,
};
use arrow_array::{ArrayRef, ListArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_schema::{ArrowError, Field, Schema};

use super::lists::{BroadcastingEvent, EntryList, EntryListCar, TrackData};
use super::packets::{
    ConnectionRequest, LapInfo, RealtimeCarUpdate, RealtimeUpdate, RegisterApplication,
    RegistrationResult,
};
use super::{decode, Packet, PROTOCOL};
use crate::error::DecodeError;

/// How many decode errors [`AccBatches::first_errors`] keeps.
pub const MAX_FIRST_ERRORS: usize = 8;

/// The result of [`decode_batch`].
#[derive(Debug, Default)]
pub struct AccBatches {
    /// One batch per message type seen, in order of first appearance.
    pub batches: Vec<(&'static str, RecordBatch)>,
    /// Datagrams decoded.
    pub decoded: u64,
    /// Datagrams rejected.
    pub errors: u64,
    /// The first [`MAX_FIRST_ERRORS`] rejections: index of the datagram in the input, and why.
    pub first_errors: Vec<(usize, DecodeError)>,
}

#[derive(Default)]
struct Cols {
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
}

impl Cols {
    fn push(&mut self, name: &str, array: ArrayRef, nullable: bool) {
        self.fields
            .push(Field::new(name, array.data_type().clone(), nullable));
        self.arrays.push(array);
    }

    fn prim<T: ArrowPrimitiveType>(&mut self, name: &str, v: impl Iterator<Item = T::Native>) {
        self.push(
            name,
            Arc::new(PrimitiveArray::<T>::from_iter_values(v)),
            false,
        );
    }

    fn opt_f32(&mut self, name: &str, v: impl Iterator<Item = Option<f32>>) {
        self.push(
            name,
            Arc::new(PrimitiveArray::<Float32Type>::from_iter(v)),
            true,
        );
    }

    fn string<'a>(&mut self, name: &str, v: impl Iterator<Item = &'a str>) {
        self.push(name, Arc::new(StringArray::from_iter_values(v)), false);
    }

    fn list<T: ArrowPrimitiveType, I: IntoIterator<Item = T::Native>>(
        &mut self,
        name: &str,
        v: impl Iterator<Item = I>,
    ) {
        let array = ListArray::from_iter_primitive::<T, _, _>(
            v.map(|items| Some(items.into_iter().map(Some))),
        );
        self.push(name, Arc::new(array), false);
    }

    fn strings<S: AsRef<str>, I: IntoIterator<Item = S>>(
        &mut self,
        name: &str,
        v: impl Iterator<Item = I>,
    ) {
        let mut b = ListBuilder::new(StringBuilder::new());
        for items in v {
            for s in items {
                b.values().append_value(s);
            }
            b.append(true);
        }
        self.push(name, Arc::new(b.finish()), false);
    }

    fn lap<'a>(&mut self, prefix: &str, laps: impl Iterator<Item = &'a LapInfo> + Clone) {
        let n = |f: &str| format!("{prefix}_{f}");
        self.prim::<Int32Type>(&n("laptime_ms"), laps.clone().map(|l| l.laptime_ms));
        self.prim::<UInt16Type>(&n("car_index"), laps.clone().map(|l| l.car_index));
        self.prim::<UInt16Type>(&n("driver_index"), laps.clone().map(|l| l.driver_index));
        self.list::<Int32Type, _>(&n("splits"), laps.clone().map(|l| l.splits.iter().copied()));
        self.prim::<UInt8Type>(&n("is_invalid"), laps.clone().map(|l| l.is_invalid));
        self.prim::<UInt8Type>(
            &n("is_valid_for_best"),
            laps.clone().map(|l| l.is_valid_for_best),
        );
        self.prim::<UInt8Type>(&n("is_outlap"), laps.clone().map(|l| l.is_outlap));
        self.prim::<UInt8Type>(&n("is_inlap"), laps.map(|l| l.is_inlap));
    }
}

macro_rules! rows {
    ($rows:expr, $variant:ident) => {
        $rows.iter().filter_map(|(_, p)| match p {
            Packet::$variant(r) => Some(r),
            _ => None,
        })
    };
}

fn register(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, RegisterCommandApplication).collect();
    let r = || recs.iter().copied();
    let _: Option<&RegisterApplication> = r().next();
    c.prim::<UInt8Type>("protocol_version", r().map(|p| p.protocol_version));
    c.string("display_name", r().map(|p| p.display_name.as_str()));
    c.string(
        "connection_password",
        r().map(|p| p.connection_password.as_str()),
    );
    c.prim::<Int32Type>("update_interval_ms", r().map(|p| p.update_interval_ms));
    c.string("command_password", r().map(|p| p.command_password.as_str()));
}

fn request(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let ids = rows.iter().filter_map(|(_, p)| match p {
        Packet::RequestEntryList(r) | Packet::RequestTrackData(r) => Some(r),
        _ => None,
    });
    c.prim::<Int32Type>(
        "connection_id",
        ids.map(|r: &ConnectionRequest| r.connection_id),
    );
}

fn result(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, RegistrationResult).collect();
    let r = || recs.iter().copied();
    let _: Option<&RegistrationResult> = r().next();
    c.prim::<Int32Type>("connection_id", r().map(|p| p.connection_id));
    c.prim::<UInt8Type>("connection_success", r().map(|p| p.connection_success));
    c.prim::<UInt8Type>("writable", r().map(|p| p.writable));
    c.string("error_message", r().map(|p| p.error_message.as_str()));
}

fn realtime(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, RealtimeUpdate).collect();
    let r = || recs.iter().copied();
    let _: Option<&RealtimeUpdate> = r().next();
    c.prim::<UInt16Type>("event_index", r().map(|p| p.event_index));
    c.prim::<UInt16Type>("session_index", r().map(|p| p.session_index));
    c.prim::<UInt8Type>("session_type", r().map(|p| p.session_type));
    c.prim::<UInt8Type>("phase", r().map(|p| p.phase));
    c.prim::<Float32Type>("session_time", r().map(|p| p.session_time));
    c.prim::<Float32Type>("session_end_time", r().map(|p| p.session_end_time));
    c.prim::<Int32Type>("focused_car_index", r().map(|p| p.focused_car_index));
    c.string(
        "active_camera_set",
        r().map(|p| p.active_camera_set.as_str()),
    );
    c.string("active_camera", r().map(|p| p.active_camera.as_str()));
    c.string("current_hud_page", r().map(|p| p.current_hud_page.as_str()));
    c.prim::<UInt8Type>("is_replay_playing", r().map(|p| p.is_replay_playing));
    c.opt_f32("replay_session_time", r().map(|p| p.replay_session_time));
    c.opt_f32(
        "replay_remaining_time",
        r().map(|p| p.replay_remaining_time),
    );
    c.prim::<Float32Type>("time_of_day", r().map(|p| p.time_of_day));
    c.prim::<UInt8Type>("ambient_temp", r().map(|p| p.ambient_temp));
    c.prim::<UInt8Type>("track_temp", r().map(|p| p.track_temp));
    c.prim::<UInt8Type>("clouds", r().map(|p| p.clouds));
    c.prim::<UInt8Type>("rain_level", r().map(|p| p.rain_level));
    c.prim::<UInt8Type>("wetness", r().map(|p| p.wetness));
    c.lap("best_session_lap", r().map(|p| &p.best_session_lap));
}

fn car(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, RealtimeCarUpdate).collect();
    let r = || recs.iter().copied();
    let _: Option<&RealtimeCarUpdate> = r().next();
    c.prim::<UInt16Type>("car_index", r().map(|p| p.car_index));
    c.prim::<UInt16Type>("driver_index", r().map(|p| p.driver_index));
    c.prim::<UInt8Type>("driver_count", r().map(|p| p.driver_count));
    c.prim::<UInt8Type>("gear", r().map(|p| p.gear));
    c.prim::<Float32Type>("world_pos_x", r().map(|p| p.world_pos_x));
    c.prim::<Float32Type>("world_pos_y", r().map(|p| p.world_pos_y));
    c.prim::<Float32Type>("yaw", r().map(|p| p.yaw));
    c.prim::<UInt8Type>("car_location", r().map(|p| p.car_location));
    c.prim::<UInt16Type>("kmh", r().map(|p| p.kmh));
    c.prim::<UInt16Type>("position", r().map(|p| p.position));
    c.prim::<UInt16Type>("cup_position", r().map(|p| p.cup_position));
    c.prim::<UInt16Type>("track_position", r().map(|p| p.track_position));
    c.prim::<Float32Type>("spline_position", r().map(|p| p.spline_position));
    c.prim::<UInt16Type>("laps", r().map(|p| p.laps));
    c.prim::<Int32Type>("delta_ms", r().map(|p| p.delta_ms));
    c.lap("best_session_lap", r().map(|p| &p.best_session_lap));
    c.lap("last_lap", r().map(|p| &p.last_lap));
    c.lap("current_lap", r().map(|p| &p.current_lap));
}

fn entry_list(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, EntryList).collect();
    let r = || recs.iter().copied();
    let _: Option<&EntryList> = r().next();
    c.prim::<Int32Type>("connection_id", r().map(|p| p.connection_id));
    c.list::<UInt16Type, _>("car_indices", r().map(|p| p.car_indices.clone()));
}

fn entry_list_car(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, EntryListCar).collect();
    let r = || recs.iter().copied();
    let _: Option<&EntryListCar> = r().next();
    c.prim::<UInt16Type>("car_index", r().map(|p| p.car_index));
    c.prim::<UInt8Type>("car_model_type", r().map(|p| p.car_model_type));
    c.string("team_name", r().map(|p| p.team_name.as_str()));
    c.prim::<Int32Type>("race_number", r().map(|p| p.race_number));
    c.prim::<UInt8Type>("cup_category", r().map(|p| p.cup_category));
    c.prim::<UInt8Type>("current_driver_index", r().map(|p| p.current_driver_index));
    c.prim::<UInt16Type>("nationality", r().map(|p| p.nationality));
    c.strings(
        "driver_first_names",
        r().map(|p| {
            p.drivers
                .iter()
                .map(|x| x.first_name.as_str())
                .collect::<Vec<_>>()
        }),
    );
    c.strings(
        "driver_last_names",
        r().map(|p| {
            p.drivers
                .iter()
                .map(|x| x.last_name.as_str())
                .collect::<Vec<_>>()
        }),
    );
    c.strings(
        "driver_short_names",
        r().map(|p| {
            p.drivers
                .iter()
                .map(|x| x.short_name.as_str())
                .collect::<Vec<_>>()
        }),
    );
    c.list::<UInt8Type, _>(
        "driver_categories",
        r().map(|p| p.drivers.iter().map(|x| x.category).collect::<Vec<_>>()),
    );
    c.list::<UInt16Type, _>(
        "driver_nationalities",
        r().map(|p| p.drivers.iter().map(|x| x.nationality).collect::<Vec<_>>()),
    );
}

fn track(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, TrackData).collect();
    let r = || recs.iter().copied();
    let _: Option<&TrackData> = r().next();
    c.prim::<Int32Type>("connection_id", r().map(|p| p.connection_id));
    c.string("track_name", r().map(|p| p.track_name.as_str()));
    c.prim::<Int32Type>("track_id", r().map(|p| p.track_id));
    c.prim::<Int32Type>("track_meters", r().map(|p| p.track_meters));
    c.strings(
        "camera_set_names",
        r().map(|p| {
            p.camera_sets
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
        }),
    );
    c.strings(
        "cameras",
        r().map(|p| {
            p.camera_sets
                .iter()
                .flat_map(|s| s.cameras.iter().map(move |cam| format!("{}/{cam}", s.name)))
                .collect::<Vec<_>>()
        }),
    );
    c.strings(
        "hud_pages",
        r().map(|p| p.hud_pages.iter().map(String::as_str)),
    );
}

fn event(c: &mut Cols, rows: &[(i64, &Packet)]) {
    let recs: Vec<_> = rows!(rows, BroadcastingEvent).collect();
    let r = || recs.iter().copied();
    let _: Option<&BroadcastingEvent> = r().next();
    c.prim::<UInt8Type>("event_type", r().map(|p| p.event_type));
    c.string("message", r().map(|p| p.message.as_str()));
    c.prim::<Int32Type>("time_ms", r().map(|p| p.time_ms));
    c.prim::<Int32Type>("car_id", r().map(|p| p.car_id));
}

fn build(name: &'static str, rows: &[(i64, &Packet)]) -> Result<RecordBatch, ArrowError> {
    let mut c = Cols::default();
    c.prim::<Int64Type>(crate::channels::TS_NS, rows.iter().map(|(ts, _)| *ts));
    match rows.first().map(|(_, p)| p) {
        Some(Packet::RegisterCommandApplication(_)) => register(&mut c, rows),
        Some(Packet::RequestEntryList(_) | Packet::RequestTrackData(_)) => request(&mut c, rows),
        Some(Packet::RegistrationResult(_)) => result(&mut c, rows),
        Some(Packet::RealtimeUpdate(_)) => realtime(&mut c, rows),
        Some(Packet::RealtimeCarUpdate(_)) => car(&mut c, rows),
        Some(Packet::EntryList(_)) => entry_list(&mut c, rows),
        Some(Packet::EntryListCar(_)) => entry_list_car(&mut c, rows),
        Some(Packet::TrackData(_)) => track(&mut c, rows),
        Some(Packet::BroadcastingEvent(_)) => event(&mut c, rows),
        Some(Packet::UnregisterCommandApplication(_)) | None => {}
    }
    let metadata = HashMap::from([
        ("protocol".to_string(), PROTOCOL.to_string()),
        ("packet".to_string(), name.to_string()),
    ]);
    RecordBatch::try_new(
        Arc::new(Schema::new_with_metadata(c.fields, metadata)),
        c.arrays,
    )
}

/// Builds one batch per message type from typed messages, in order of first appearance.
///
/// # Errors
/// An [`ArrowError`] only if a batch cannot be assembled.
pub fn batch_from_packets<'a>(
    packets: impl IntoIterator<Item = (i64, &'a Packet)>,
) -> Result<Vec<(&'static str, RecordBatch)>, ArrowError> {
    let mut groups: Vec<(&'static str, Vec<(i64, &Packet)>)> = Vec::new();
    for (ts, p) in packets {
        let name = p.name();
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, rows)) => rows.push((ts, p)),
            None => groups.push((name, vec![(ts, p)])),
        }
    }
    groups
        .iter()
        .map(|(name, rows)| Ok((*name, build(name, rows)?)))
        .collect()
}

/// Decodes many `(ts_ns, datagram)` pairs (as a client receives them, see [`super::decode`])
/// into one Arrow batch per message type. Each row holds exactly the values `decode` gives for
/// that datagram. Rejected datagrams are counted, the first few kept with their index, and
/// skipped.
///
/// # Errors
/// An [`ArrowError`] only if a batch cannot be assembled; bad bytes are never an error here.
pub fn decode_batch<'a>(
    datagrams: impl IntoIterator<Item = (i64, &'a [u8])>,
) -> Result<AccBatches, ArrowError> {
    let mut out = AccBatches::default();
    let mut packets = Vec::new();
    for (index, (ts_ns, datagram)) in datagrams.into_iter().enumerate() {
        match decode(datagram) {
            Ok(p) => {
                packets.push((ts_ns, p));
                out.decoded += 1;
            }
            Err(err) => {
                out.errors += 1;
                if out.first_errors.len() < MAX_FIRST_ERRORS {
                    out.first_errors.push((index, err));
                }
            }
        }
    }
    out.batches = batch_from_packets(packets.iter().map(|(ts, p)| (*ts, p)))?;
    Ok(out)
}
