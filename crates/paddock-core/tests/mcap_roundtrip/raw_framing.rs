//! The raw datagram framing: round trips, truncated tails, a property test over random payloads.

use super::*;
use paddock_core::mcap::raw::{read_raw_file, RawHeader, RawReader, RawWriter};
use proptest::prelude::*;

fn raw_header() -> RawHeader {
    RawHeader {
        protocol: "project_cars_2".into(),
        feed: "rig-1".into(),
        started_ns: T0,
    }
}

#[test]
fn raw_framing_round_trips_and_tolerates_a_truncated_tail() {
    let dir = TempDir::new("rawfile");
    let path = dir.path("r.raw");
    let payloads = datagrams(40, 3);
    let ts: Vec<i64> = (0..40).map(|i| T0 + i).collect();
    let batch = raw_batch(&ts, &payloads);
    let mut w = RawWriter::create(&path, &raw_header()).unwrap();
    assert_eq!(w.write(&batch.slice(0, 25)).unwrap(), 25);
    w.flush().unwrap();
    w.write(&batch.slice(25, 15)).unwrap();
    let stats = w.finish().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!((stats.records, stats.bytes), (40, bytes.len() as u64));
    assert_eq!(&bytes[..8], b"PDKRAW01");

    let (header, back, read) = read_raw_file(&path).unwrap();
    assert_eq!(
        (header, back, read.records, read.truncated_tail_bytes),
        (raw_header(), batch.clone(), 40, 0)
    );

    let header_len = 10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let mut ends = vec![header_len];
    for p in &payloads {
        ends.push(ends.last().unwrap() + 12 + p.len());
    }
    let cut = dir.path("cut.raw");
    // Every offset in the header and the first records, then around every record boundary.
    let mut offsets: Vec<usize> = (0..ends[3]).collect();
    for end in &ends {
        offsets.extend([end - 1, *end, end + 1, end + 11, end + 12, end + 13]);
    }
    offsets.retain(|o| *o <= bytes.len());
    for offset in offsets {
        std::fs::write(&cut, &bytes[..offset]).unwrap();
        if offset < header_len {
            assert!(
                read_raw_file(&cut).is_err(),
                "offset {offset} is inside the header"
            );
            continue;
        }
        let whole = ends.iter().filter(|e| **e <= offset).count() - 1;
        let (_, got, stats) = read_raw_file(&cut).unwrap();
        assert_eq!(got, batch.slice(0, whole));
        assert_eq!(stats.truncated_tail_bytes as usize, offset - ends[whole]);
    }

    let mut reader = RawReader::open(&path).unwrap();
    let sizes: Vec<_> = std::iter::from_fn(|| reader.next_batch(16).unwrap())
        .map(|b| b.num_rows())
        .collect();
    assert_eq!(sizes, [16, 16, 8]);

    std::fs::write(&cut, b"NOTRAW01\x00\x00").unwrap();
    assert!(read_raw_file(&cut)
        .unwrap_err()
        .to_string()
        .contains("not a paddock raw file"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn raw_framing_round_trips_random_payloads(
        records in proptest::collection::vec(
            (any::<i64>(), proptest::collection::vec(any::<u8>(), 0..2000)),
            0..40,
        ),
        cut in any::<prop::sample::Index>(),
    ) {
        let dir = TempDir::new("prop");
        let path = dir.path("p.raw");
        let ts: Vec<i64> = records.iter().map(|r| r.0).collect();
        let payloads: Vec<Vec<u8>> = records.iter().map(|r| r.1.clone()).collect();
        let batch = raw_batch(&ts, &payloads);
        let mut w = RawWriter::create(&path, &raw_header()).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        let (header, back, stats) = read_raw_file(&path).unwrap();
        prop_assert_eq!(header, raw_header());
        prop_assert_eq!(&back, &batch);
        prop_assert_eq!(stats.truncated_tail_bytes, 0);

        // Any cut after the header keeps a prefix and counts the rest.
        let bytes = std::fs::read(&path).unwrap();
        let header_len = 10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let offset = header_len + cut.index(bytes.len() - header_len + 1);
        std::fs::write(&path, &bytes[..offset]).unwrap();
        let (_, back, stats) = read_raw_file(&path).unwrap();
        let kept: usize = (0..back.num_rows()).map(|i| 12 + payloads[i].len()).sum();
        prop_assert_eq!(&back, &batch.slice(0, back.num_rows()));
        prop_assert_eq!(header_len + kept + stats.truncated_tail_bytes as usize, offset);
        prop_assert!(stats.truncated_tail_bytes < 12 + payloads.get(back.num_rows()).map_or(0, Vec::len) as u64
            || back.num_rows() == records.len());
    }
}
