//! Round trips through the MCAP writer/reader and the raw framing: identity, filters, recovery of
//! truncated files, CRC checks, and a property test of the raw framing.

// Helpers outside #[test] functions panic on failure too: this is test code.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BinaryArray, Float64Array, Int32Array, Int64Array, LargeBinaryArray,
    RecordBatch, RecordBatchOptions, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use paddock_core::arrow::{frame_schema, FrameBuilder};
use paddock_core::mcap::{
    read_frames, read_raw, verify, Compression, McapOptions, McapReader, McapWriter,
};
use paddock_core::CoreError;

#[path = "mcap_roundtrip/raw_framing.rs"]
mod raw_framing;
#[path = "mcap_roundtrip/recovery.rs"]
mod recovery;
#[path = "mcap_roundtrip/segments.rs"]
mod segments;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("paddock-mcap-{}-{name}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const CHANNELS: &[&str] = &[
    "rpm",
    "speed_kmh",
    "gear",
    "pcars2.engine_torque_nm",
    "lap",
    "brake",
];

/// `rows` frames 10 ms apart from `t0_ns`, with nulls and an integer pattern.
fn frames(t0_ns: i64, rows: usize, start: usize) -> RecordBatch {
    let mut b = FrameBuilder::new(CHANNELS);
    b.set_t0_ns(0);
    for i in start..start + rows {
        let x = i as f64;
        let values = [
            Some(1000.0 + x * 1.25),
            (i % 7 != 0).then_some(x / 3.0),
            Some((i % 8) as f64 - 1.0),
            (i % 5 != 0).then_some(-x * 0.1),
            Some((i / 100) as f64),
            (i % 3 == 0).then_some(f64::NAN),
        ];
        b.push_row(t0_ns + i as i64 * 10_000_000, &values);
    }
    b.finish().unwrap()
}

fn raw_batch(ts: &[i64], payloads: &[Vec<u8>]) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("ts_ns", Arc::new(Int64Array::from(ts.to_vec())) as ArrayRef),
        (
            "payload",
            Arc::new(BinaryArray::from_iter_values(payloads.iter())) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn datagrams(n: usize, seed: u8) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            (0..(i * 37) % 1400)
                .map(|j| (j as u8) ^ seed ^ (i as u8))
                .collect()
        })
        .collect()
}

fn concat(batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&batches[0].schema(), batches).unwrap()
}

const T0: i64 = 1_700_000_000_000_000_000;

/// Writes 3 frame batches and 2 raw batches plus metadata; returns (frames, raw) written.
fn write_session(path: &Path, options: McapOptions) -> (RecordBatch, RecordBatch) {
    let mut w = McapWriter::create(path, options).unwrap();
    let mut meta = BTreeMap::new();
    meta.insert("name".to_string(), "Monza practice".to_string());
    meta.insert("game".to_string(), "project_cars_2".to_string());
    w.add_metadata("recording", meta).unwrap();
    let parts: Vec<RecordBatch> = (0..3).map(|k| frames(T0, 700, k * 700)).collect();
    let ts: Vec<i64> = (0..400).map(|i| T0 + i * 5_000_000).collect();
    let raw = raw_batch(&ts, &datagrams(400, 7));
    for (k, part) in parts.iter().enumerate() {
        assert_eq!(w.write_frames("/pcars2/frames", part).unwrap(), 700);
        if k < 2 {
            let half = raw.slice(k * 200, 200);
            assert_eq!(
                w.write_raw("/pcars2/raw", "project_cars_2", &half).unwrap(),
                200
            );
        }
    }
    let stats = w.finish().unwrap();
    assert_eq!(stats.messages, 2100 + 400);
    assert_eq!(stats.channels, 2);
    assert_eq!(stats.metadata, 1);
    assert!(stats.chunks >= 1);
    assert_eq!(stats.bytes, std::fs::metadata(path).unwrap().len());
    (concat(&parts), raw)
}

#[test]
fn frames_and_raw_round_trip_with_every_compression() {
    let dir = TempDir::new("identity");
    for (name, compression) in [
        ("zstd", Compression::Zstd),
        ("lz4", Compression::Lz4),
        ("none", Compression::None),
    ] {
        let path = dir.path(&format!("{name}.mcap"));
        let options = McapOptions::default()
            .with_compression(compression)
            .with_chunk_size(32 << 10);
        let (frames_in, raw_in) = write_session(&path, options);
        let back = read_frames(&path, None, None, None).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(
            back[0].schema(),
            frames_in.schema(),
            "schema, order and units kept"
        );
        assert_eq!(back[0], frames_in);
        assert_eq!(read_raw(&path, "/pcars2/raw").unwrap(), raw_in);
        let checked = verify(&path).unwrap();
        assert_eq!(checked.messages, 2500);
        assert!(checked.chunks > 1, "{name}: small chunks make several");
    }
}

#[test]
fn info_lists_channels_metadata_and_times() {
    let dir = TempDir::new("info");
    let path = dir.path("s.mcap");
    write_session(&path, McapOptions::default());
    let reader = McapReader::open(&path).unwrap();
    assert!(reader.is_finished());
    let info = reader.info().unwrap();
    assert_eq!(info.message_count, 2500);
    assert_eq!(info.start_ns, T0 as u64);
    assert_eq!(info.end_ns, (T0 + 2099 * 10_000_000) as u64);
    let kinds: Vec<_> = info
        .channels
        .iter()
        .map(|c| (c.topic.as_str(), c.kind, c.message_count))
        .collect();
    assert_eq!(
        kinds,
        [
            ("/pcars2/frames", "frames", 2100),
            ("/pcars2/raw", "raw", 400)
        ]
    );
    let raw = &info.channels[1];
    assert_eq!(raw.metadata["protocol"], "project_cars_2");
    assert_eq!(raw.metadata["framing"], "udp-datagram");
    assert_eq!(raw.message_encoding, "application/octet-stream");
    assert_eq!(
        info.channels[0].schema_name.as_deref(),
        Some("paddock.Frame")
    );
    assert_eq!(info.metadata.len(), 1);
    assert_eq!(info.metadata[0].name, "recording");
    assert_eq!(info.metadata[0].metadata["game"], "project_cars_2");
}

#[test]
fn int32_extremes_float_edges_and_column_order_survive() {
    let dir = TempDir::new("edges");
    let path = dir.path("e.mcap");
    let schema = frame_schema(&["zeta_x", "gear", "alpha_y"]);
    let floats = [0.1, -0.0, f64::MIN_POSITIVE, 5e-324, f64::MAX, -1.0 / 3.0];
    let n = floats.len();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(
            (0..n as i64).map(|i| T0 + i).collect::<Vec<_>>(),
        )),
        Arc::new(Float64Array::from(floats.to_vec())),
        Arc::new(Float64Array::from(floats.to_vec())),
        Arc::new(Int32Array::from(vec![
            Some(i32::MIN),
            Some(i32::MAX),
            None,
            Some(0),
            Some(-1),
            Some(7),
        ])),
        Arc::new(Float64Array::from(vec![
            None,
            Some(1e15),
            Some(123456.789),
            None,
            Some(-2.5),
            Some(3.0),
        ])),
    ];
    let batch = RecordBatch::try_new(schema, columns).unwrap();
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    w.write_frames("f", &batch).unwrap();
    w.finish().unwrap();
    let back = read_frames(&path, Some("f"), None, None).unwrap();
    assert_eq!(back, vec![batch]);
    let names: Vec<_> = back[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["ts_ns", "t_s", "zeta_x", "gear", "alpha_y"]);
}

#[test]
fn non_finite_floats_read_back_as_null() {
    let dir = TempDir::new("nonfinite");
    let path = dir.path("n.mcap");
    let schema = frame_schema(&["speed_kmh"]);
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(vec![1, 2, 3])),
            Arc::new(Float64Array::from(vec![0.0, 0.0, 0.0])),
            Arc::new(Float64Array::from(vec![f64::NAN, f64::INFINITY, 1.5])),
        ],
    )
    .unwrap();
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    w.write_frames("f", &batch).unwrap();
    w.finish().unwrap();
    let back = &read_frames(&path, None, None, None).unwrap()[0];
    let speed = back.column(2).as_primitive::<Float64Type>();
    assert_eq!((speed.null_count(), speed.value(2)), (2, 1.5));
}

#[test]
fn empty_batches_and_empty_files() {
    let dir = TempDir::new("empty");
    let path = dir.path("e.mcap");
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    let empty = frames(T0, 0, 0);
    assert_eq!(w.write_frames("f", &empty).unwrap(), 0);
    assert_eq!(w.write_raw("r", "p", &raw_batch(&[], &[])).unwrap(), 0);
    let stats = w.finish().unwrap();
    assert_eq!((stats.messages, stats.channels), (0, 2));
    let back = read_frames(&path, None, None, None).unwrap();
    assert_eq!(back, vec![empty]);
    assert_eq!(read_raw(&path, "r").unwrap().num_rows(), 0);

    let bare = dir.path("bare.mcap");
    McapWriter::create(&bare, McapOptions::default())
        .unwrap()
        .finish()
        .unwrap();
    assert!(read_frames(&bare, None, None, None).unwrap().is_empty());
    assert!(matches!(
        read_frames(&bare, Some("f"), None, None),
        Err(CoreError::InvalidArgument(_))
    ));
    assert_eq!(verify(&bare).unwrap().messages, 0);
}

#[test]
fn odd_input_is_refused_and_the_writer_goes_on() {
    let dir = TempDir::new("odd");
    let path = dir.path("o.mcap");
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    let no_ts =
        RecordBatch::try_from_iter([("x", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef)])
            .unwrap();
    let text = RecordBatch::try_from_iter([
        ("ts_ns", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("s", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
    ])
    .unwrap();
    let null_ts = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "ts_ns",
            DataType::Int64,
            true,
        )])),
        vec![Arc::new(Int64Array::from(vec![Some(1), None]))],
    )
    .unwrap();
    let no_columns = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(3)),
    )
    .unwrap();
    for bad in [&no_ts, &text, &null_ts, &no_columns] {
        assert!(matches!(
            w.write_frames("f", bad),
            Err(CoreError::InvalidArgument(_))
        ));
        assert!(matches!(
            w.write_raw("r", "p", bad),
            Err(CoreError::InvalidArgument(_))
        ));
    }
    assert!(matches!(
        w.write_frames("", &frames(T0, 1, 0)),
        Err(CoreError::InvalidArgument(_))
    ));
    assert!(matches!(
        w.add_metadata("", BTreeMap::new()),
        Err(CoreError::InvalidArgument(_))
    ));
    let large = RecordBatch::try_from_iter([
        ("ts_ns", Arc::new(Int64Array::from(vec![5, 6])) as ArrayRef),
        (
            "payload",
            Arc::new(LargeBinaryArray::from_vec(vec![b"ab", b""])) as ArrayRef,
        ),
    ])
    .unwrap();
    assert_eq!(w.write_raw("r", "p", &large).unwrap(), 2);
    w.write_frames("f", &frames(T0, 3, 0)).unwrap();
    assert_eq!(w.finish().unwrap().messages, 5);
    let raw = read_raw(&path, "r").unwrap();
    assert_eq!(raw.column(1).as_binary::<i32>().value(0), b"ab");
    assert!(matches!(
        read_raw(&path, "f"),
        Err(CoreError::InvalidArgument(_))
    ));
    assert!(matches!(
        read_frames(&path, Some("r"), None, None),
        Err(CoreError::InvalidArgument(_))
    ));
}

#[test]
fn time_filters_select_rows_and_skip_chunks() {
    let dir = TempDir::new("time");
    let path = dir.path("t.mcap");
    let options = McapOptions::default().with_chunk_size(8 << 10);
    let (all, raw) = write_session(&path, options);
    let ts = all.column(0).as_primitive::<Int64Type>();
    for (from, to) in [
        (None, None),
        (Some(T0 + 5_000_000_000), None),
        (None, Some(T0 + 1_000_000_000)),
        (Some(T0 + 3_000_000_000), Some(T0 + 3_100_000_000)),
        (Some(T0 + 3_000_000_001), Some(T0 + 3_000_000_002)),
        (Some(T0 - 100), Some(T0 + 1)),
        (Some(i64::MIN), Some(0)),
    ] {
        let keep: Vec<u32> = (0..ts.len())
            .filter(|i| {
                from.is_none_or(|f| ts.value(*i) >= f) && to.is_none_or(|t| ts.value(*i) < t)
            })
            .map(|i| i as u32)
            .collect();
        let expected =
            arrow_select::take::take_record_batch(&all, &arrow_array::UInt32Array::from(keep))
                .unwrap();
        let back = McapReader::open(&path)
            .unwrap()
            .read_frames(None, from, to)
            .unwrap();
        assert_eq!(back, vec![expected], "range {from:?}..{to:?}");
    }
    let reader = McapReader::open(&path).unwrap();
    let window = reader
        .read_raw("/pcars2/raw", Some(T0 + 10_000_000), Some(T0 + 20_000_000))
        .unwrap();
    assert_eq!(window, raw.slice(2, 2));
}

#[test]
fn negative_times_clamp_to_zero_log_time_but_frames_keep_them() {
    let dir = TempDir::new("neg");
    let path = dir.path("n.mcap");
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    let batch = frames(-50_000_000, 10, 0);
    w.write_frames("f", &batch).unwrap();
    w.finish().unwrap();
    assert_eq!(
        read_frames(&path, None, None, None).unwrap(),
        vec![batch.clone()]
    );
    let early = read_frames(&path, None, Some(-40_000_000), Some(-10_000_000)).unwrap();
    assert_eq!(early, vec![batch.slice(1, 3)]);
}

#[test]
fn topics_come_back_separately_and_schema_changes_merge() {
    let dir = TempDir::new("topics");
    let path = dir.path("t.mcap");
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    let mut a = FrameBuilder::new(&["speed_kmh", "gear"]);
    a.set_t0_ns(0);
    a.push_row(1, &[Some(10.0), Some(2.0)]);
    let a = a.finish().unwrap();
    let mut b = FrameBuilder::new(&["gear", "rpm"]);
    b.set_t0_ns(0);
    b.push_row(2, &[Some(3.0), Some(5000.0)]);
    let b = b.finish().unwrap();
    w.write_frames("/b", &b).unwrap();
    w.write_frames("/a", &a).unwrap();
    w.write_frames("/a", &b).unwrap();
    w.write_frames("/a", &a).unwrap();
    w.finish().unwrap();
    let back = read_frames(&path, None, None, None).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0], b, "topics in first-written order");
    let merged = &back[1];
    let names: Vec<_> = merged
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["ts_ns", "t_s", "speed_kmh", "gear", "rpm"]);
    assert_eq!(merged.num_rows(), 3);
    let rpm = merged.column(4).as_primitive::<Float64Type>();
    assert_eq!(
        (rpm.is_null(0), rpm.value(2), rpm.is_null(1)),
        (true, 5000.0, true)
    );
    assert_eq!(
        merged
            .column(0)
            .as_primitive::<Int64Type>()
            .values()
            .to_vec(),
        [1, 1, 2],
        "a's channel first, then b's"
    );
}

/// Frame encoding rate: `cargo test --profile ci -p paddock-core --test mcap_roundtrip --
/// --ignored --nocapture write_rate`.
#[test]
#[ignore = "measurement, not a check"]
fn write_rate() {
    let dir = TempDir::new("rate");
    let channels: Vec<String> = paddock_core::channels::CHANNELS
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let names: Vec<&str> = channels.iter().map(String::as_str).collect();
    let mut b = FrameBuilder::new(&names);
    let rows = 200_000;
    for i in 0..rows {
        let values: Vec<Option<f64>> = (0..names.len())
            .map(|c| Some((i * 31 + c) as f64 * 0.173))
            .collect();
        b.push_row(T0 + i as i64 * 16_666_667, &values);
    }
    let batch = b.finish().unwrap();
    for compression in [Compression::Zstd, Compression::Lz4, Compression::None] {
        let path = dir.path("rate.mcap");
        let start = std::time::Instant::now();
        let mut w = McapWriter::create(&path, McapOptions::default().with_compression(compression))
            .unwrap();
        for k in 0..rows / 1000 {
            w.write_frames("f", &batch.slice(k * 1000, 1000)).unwrap();
        }
        let stats = w.finish().unwrap();
        let write = start.elapsed().as_secs_f64();
        let start = std::time::Instant::now();
        let back = read_frames(&path, None, None, None).unwrap();
        let read = start.elapsed().as_secs_f64();
        assert_eq!(back[0].num_rows(), rows);
        eprintln!(
            "{compression:?}: {} channels, write {:.0} frames/s, read {:.0} frames/s, {:.1} bytes/frame",
            names.len(),
            rows as f64 / write,
            rows as f64 / read,
            stats.bytes as f64 / rows as f64
        );
    }
}
