use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, BinaryArray, RecordBatch};
use arrow_schema::DataType;

use super::*;

fn motohawk() -> CanDecoder {
    // cantools' tests/files/dbc/motohawk.dbc, by hand.
    CanDecoder::from_json(
        r#"{"messages": [{"name": "ExampleMessage", "id": 496, "extended": false, "length": 8,
        "signals": [
          {"name": "Enable", "start": 7, "length": 1, "byte_order": "big_endian",
           "signed": false, "float": false, "conversion": "identity"},
          {"name": "AverageRadius", "start": 6, "length": 6, "byte_order": "big_endian",
           "signed": false, "float": false, "conversion": "float",
           "scale": {"float": "0.1"}, "offset": {"int": 0}, "unit": "m"},
          {"name": "Temperature", "start": 0, "length": 12, "byte_order": "big_endian",
           "signed": true, "float": false, "conversion": "float",
           "scale": {"float": "0.01"}, "offset": {"int": 250}, "unit": "degK"}
        ]}]}"#,
    )
    .unwrap()
}

fn decode(decoder: &CanDecoder, ids: &[u32], ext: Option<&[bool]>, data: &[&[u8]]) -> Decoded {
    let ts: Vec<i64> = (0..ids.len() as i64).collect();
    decoder.decode(&Frames::new(&ts, ids, ext, data)).unwrap()
}

fn batch<'a>(out: &'a Decoded, name: &str) -> &'a RecordBatch {
    &out.batches.iter().find(|(n, _)| n == name).unwrap().1
}

fn f64_at(b: &RecordBatch, col: &str, row: usize) -> Option<f64> {
    let c = b.column_by_name(col).unwrap().as_primitive::<Float64Type>();
    c.is_valid(row).then(|| c.value(row))
}

fn i64_at(b: &RecordBatch, col: &str, row: usize) -> Option<i64> {
    let c = b.column_by_name(col).unwrap().as_primitive::<Int64Type>();
    c.is_valid(row).then(|| c.value(row))
}

#[test]
fn motohawk_matches_cantools_test() {
    // cantools test_motohawk_encode_decode: c0 06 e0 00.. <-> Temperature 250.55,
    // AverageRadius 3.2, Enable 1.
    let d = motohawk();
    let out = decode(&d, &[0x1F0], None, &[&[0xc0, 0x06, 0xe0, 0, 0, 0, 0, 0]]);
    let b = batch(&out, "ExampleMessage");
    assert_eq!(i64_at(b, "Enable", 0), Some(1));
    assert_eq!(f64_at(b, "AverageRadius", 0), Some(32.0 * 0.1));
    assert_eq!(f64_at(b, "Temperature", 0), Some(55.0 * 0.01 + 250.0));
    assert_eq!(
        b.schema()
            .field_with_name("Temperature")
            .unwrap()
            .metadata()["unit"],
        "degK"
    );
    assert_eq!(b.schema().metadata()["frame_id"], "496");
}

#[test]
fn unknown_and_short_frames_are_counted() {
    let d = motohawk();
    let out = decode(
        &d,
        &[0x1F0, 0x123, 0x1F0, 0x1F0, 0x1ABCDEF],
        None,
        &[&[0; 8], &[0; 8], &[0; 7], &[0; 12], &[]],
    );
    assert_eq!(out.stats.frames, 5);
    assert_eq!(out.stats.decoded, 2);
    assert_eq!(out.stats.unknown_id, 2);
    assert_eq!(out.stats.short, 1);
    assert_eq!(out.stats.unknown_ids.get(&(0x1ABCDEF, true)), Some(&1));
    assert_eq!(out.stats.short_by_message["ExampleMessage"], 1);
    let b = batch(&out, "ExampleMessage");
    assert_eq!(b.num_rows(), 2);
    let ts = b.column(0).as_primitive::<Int64Type>();
    assert_eq!(ts.values().to_vec(), vec![0, 3]);
}

#[test]
fn extended_flag_routes_frames() {
    let d = CanDecoder::from_json(
        r#"{"messages": [
        {"name": "Std", "id": 256, "extended": false, "length": 1, "signals": [
          {"name": "a", "start": 0, "length": 8, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity"}]},
        {"name": "Ext", "id": 256, "extended": true, "length": 1, "signals": [
          {"name": "b", "start": 0, "length": 8, "byte_order": "little_endian",
           "signed": true, "float": false, "conversion": "identity"}]}]}"#,
    )
    .unwrap();
    let out = decode(&d, &[256, 256], Some(&[false, true]), &[&[0xff], &[0xff]]);
    assert_eq!(i64_at(batch(&out, "Std"), "a", 0), Some(255));
    assert_eq!(i64_at(batch(&out, "Ext"), "b", 0), Some(-1));
    // Without flags an id of 0x7FF or less is standard, as in cantools.
    let out = decode(&d, &[256], None, &[&[1]]);
    assert_eq!(out.batches.len(), 1);
    assert_eq!(out.batches[0].0, "Std");
}

fn muxed() -> CanDecoder {
    CanDecoder::from_json(
        r#"{"messages": [{"name": "M", "id": 1, "extended": false, "length": 8, "signals": [
          {"name": "mux", "start": 0, "length": 8, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity", "pages": [1, 2, 3]},
          {"name": "common", "start": 56, "length": 8, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity"},
          {"name": "p1", "start": 8, "length": 16, "byte_order": "little_endian",
           "signed": true, "float": false, "conversion": "integer",
           "scale": {"int": 2}, "offset": {"int": -1}, "multiplexer": {"signal": "mux", "ids": [1]}},
          {"name": "sub", "start": 8, "length": 8, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity", "pages": [7],
           "multiplexer": {"signal": "mux", "ids": [2, 3]}},
          {"name": "p2_7", "start": 16, "length": 32, "byte_order": "little_endian",
           "signed": false, "float": true, "conversion": "identity",
           "multiplexer": {"signal": "sub", "ids": [7]}}
        ]}]}"#,
    )
    .unwrap()
}

#[test]
fn multiplexed_signals_are_null_off_their_page() {
    let d = muxed();
    let f = 1.5f32.to_le_bytes();
    let frames: [&[u8]; 4] = [
        &[1, 0x10, 0x00, 0, 0, 0, 0, 9],
        &[2, 7, f[0], f[1], f[2], f[3], 0, 9],
        &[3, 8, 0, 0, 0, 0, 0, 9],
        &[4, 0, 0, 0, 0, 0, 0, 9],
    ];
    let out = decode(&d, &[1, 1, 1, 1], None, &frames);
    let b = batch(&out, "M");
    assert_eq!(b.num_rows(), 4);
    assert_eq!(out.stats.mux_unknown, 2); // sub = 8 has no page, mux = 4 has none
    assert_eq!(
        (0..4).map(|r| i64_at(b, "p1", r)).collect::<Vec<_>>(),
        vec![Some(31), None, None, None]
    );
    assert_eq!(
        (0..4).map(|r| i64_at(b, "sub", r)).collect::<Vec<_>>(),
        vec![None, Some(7), Some(8), None]
    );
    assert_eq!(
        (0..4).map(|r| f64_at(b, "p2_7", r)).collect::<Vec<_>>(),
        vec![None, Some(1.5), None, None]
    );
    assert_eq!(
        (0..4).map(|r| i64_at(b, "common", r)).collect::<Vec<_>>(),
        vec![Some(9); 4]
    );
    assert!(!b.schema().field_with_name("common").unwrap().is_nullable());
    assert!(b.schema().field_with_name("p1").unwrap().is_nullable());
}

#[test]
fn sixty_four_bit_unsigned_is_uint64_and_big_offsets_stay_exact() {
    let d = CanDecoder::from_json(
        r#"{"messages": [{"name": "W", "id": 2, "extended": false, "length": 8, "signals": [
          {"name": "u64", "start": 0, "length": 64, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity"},
          {"name": "s64", "start": 7, "length": 64, "byte_order": "big_endian",
           "signed": true, "float": false, "conversion": "integer",
           "scale": {"int": 1}, "offset": {"int": 10}},
          {"name": "f64", "start": 0, "length": 64, "byte_order": "little_endian",
           "signed": false, "float": true, "conversion": "float",
           "scale": {"int": 2}, "offset": {"float": "0.5"}}
        ]}]}"#,
    )
    .unwrap();
    let out = decode(&d, &[2], None, &[&[0xff; 8]]);
    let b = batch(&out, "W");
    assert_eq!(b.schema().field(1).data_type(), &DataType::UInt64);
    assert_eq!(b.column(1).as_primitive::<UInt64Type>().value(0), u64::MAX);
    // -1 + 10 fits Int64, but the range (-2^63 + 10 ..= 2^63 + 9) does not: Float64.
    assert_eq!(b.schema().field(2).data_type(), &DataType::Float64);
    assert_eq!(f64_at(b, "s64", 0), Some(9.0));
    assert!(f64_at(b, "f64", 0).unwrap().is_nan());
}

#[test]
fn bad_specs_are_rejected_with_names() {
    let err = CanDecoder::from_json(
        r#"{"messages": [{"name": "X", "id": 4096, "extended": false, "length": 8, "signals": []}]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("message X"), "{err}");
    let err = CanDecoder::from_json(
        r#"{"messages": [{"name": "X", "id": 1, "extended": false, "length": 8, "signals": [
          {"name": "s", "start": 0, "length": 65, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity"}]}]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("signal s"), "{err}");
    let err = CanDecoder::from_json(
        r#"{"messages": [
          {"name": "A", "id": 1, "extended": false, "length": 8, "signals": []},
          {"name": "B", "id": 1, "extended": false, "length": 8, "signals": []}]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("same id"), "{err}");
}

#[test]
fn signals_beyond_the_message_are_null_and_warned() {
    let d = CanDecoder::from_json(
        r#"{"messages": [{"name": "X", "id": 1, "extended": false, "length": 2, "signals": [
          {"name": "s", "start": 16, "length": 8, "byte_order": "little_endian",
           "signed": false, "float": false, "conversion": "identity"}]}]}"#,
    )
    .unwrap();
    assert_eq!(d.warnings().len(), 1);
    let out = decode(&d, &[1], None, &[&[1, 2, 3]]);
    assert_eq!(i64_at(batch(&out, "X"), "s", 0), None);
}

#[test]
fn arrow_binary_payloads_and_length_mismatch() {
    let d = motohawk();
    let data = BinaryArray::from_opt_vec(vec![Some(&[0xc0, 6, 0xe0, 0, 0, 0, 0, 0][..]), None]);
    let out = d
        .decode(&Frames::new(&[5, 6], &[0x1F0, 0x1F0], None, &data))
        .unwrap();
    assert_eq!(out.stats.decoded, 1);
    assert_eq!(out.stats.short, 1);
    let err = d
        .decode(&Frames::new(&[5], &[0x1F0, 0x1F0], None, &data))
        .unwrap_err();
    assert!(err.to_string().contains("differ in length"));
}

#[test]
fn large_batches_decode_on_threads_to_the_same_result() {
    let d = muxed();
    let n = 70_000usize;
    let ids: Vec<u32> = (0..n).map(|i| if i % 3 == 0 { 1 } else { 0x1F0 }).collect();
    let payloads: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let b = i.to_le_bytes();
            vec![(i % 5) as u8, b[0], b[1], b[2], 7, 0, 0, b[0]]
        })
        .collect();
    let ts: Vec<i64> = (0..n as i64).collect();
    let whole = d
        .decode(&Frames::new(&ts, &ids, None, &payloads[..]))
        .unwrap();
    let half = n / 2;
    let a = d
        .decode(&Frames::new(
            &ts[..half],
            &ids[..half],
            None,
            &payloads[..half],
        ))
        .unwrap();
    let b = d
        .decode(&Frames::new(
            &ts[half..],
            &ids[half..],
            None,
            &payloads[half..],
        ))
        .unwrap();
    let joined = arrow_select::concat::concat_batches(
        &whole.batches[0].1.schema(),
        [&a.batches[0].1, &b.batches[0].1],
    )
    .unwrap();
    assert_eq!(whole.batches[0].1, joined);
    assert_eq!(
        whole.stats.unknown_id,
        a.stats.unknown_id + b.stats.unknown_id
    );
    assert_eq!(
        whole.stats.mux_unknown,
        a.stats.mux_unknown + b.stats.mux_unknown
    );
}
