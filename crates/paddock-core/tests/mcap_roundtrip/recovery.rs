//! Recovery of truncated and unfinished files, and CRC checks on read.

use super::*;
use paddock_core::mcap::recover;

/// Every message of a file as (topic, log time, bytes), via the crate's own reader.
fn messages(path: &Path) -> Vec<(String, u64, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    mcap::MessageStream::new(&bytes)
        .unwrap()
        .map(|m| {
            let m = m.unwrap();
            (m.channel.topic.clone(), m.log_time, m.data.into_owned())
        })
        .collect()
}

#[test]
fn recovery_of_truncated_files_yields_a_prefix() {
    let dir = TempDir::new("recover");
    let full = dir.path("full.mcap");
    for compression in [Compression::Zstd, Compression::None] {
        let options = McapOptions::default()
            .with_compression(compression)
            .with_chunk_size(6 << 10);
        write_session(&full, options);
        let original = messages(&full);
        let bytes = std::fs::read(&full).unwrap();
        let (cut, out) = (dir.path("cut.mcap"), dir.path("out.mcap"));
        let mut last = 0;
        let offsets = (0..bytes.len())
            .step_by(bytes.len() / 150)
            .chain([bytes.len() - 1, bytes.len()]);
        for offset in offsets {
            std::fs::write(&cut, &bytes[..offset]).unwrap();
            let stats = recover(&cut, &out).unwrap();
            let got = messages(&out);
            assert_eq!(got[..], original[..got.len()], "offset {offset}: a prefix");
            assert_eq!(stats.messages as usize, got.len());
            assert!(
                got.len() >= last,
                "offset {offset}: more bytes never recover less"
            );
            last = got.len();
            verify(&out).unwrap();
            // The unfinished file itself reads up to its first damaged record.
            if offset > 8 {
                let frames = read_frames(&cut, None, None, None).unwrap();
                let n = frames.first().map_or(0, RecordBatch::num_rows);
                assert_eq!(n, got.iter().filter(|m| m.0 == "/pcars2/frames").count());
            }
            if offset == bytes.len() {
                assert!(stats.data_intact && stats.stopped_by.is_none());
                assert_eq!(got.len(), original.len());
            } else {
                assert!(stats.stopped_by.is_some(), "offset {offset}");
            }
        }
        let info = McapReader::open(&out).unwrap().info().unwrap();
        assert_eq!(info.metadata.len(), 1, "metadata copied");
        assert_eq!(info.channels[1].metadata["protocol"], "project_cars_2");
    }
    assert!(matches!(
        recover(&full, &full),
        Err(CoreError::InvalidArgument(_))
    ));
}

#[test]
fn a_killed_writer_leaves_a_file_that_recovers() {
    let dir = TempDir::new("killed");
    let path = dir.path("live.mcap");
    let mut w = McapWriter::create(&path, McapOptions::default().with_chunk_size(4 << 10)).unwrap();
    let first = frames(T0, 500, 0);
    w.write_frames("f", &first).unwrap();
    w.flush().unwrap();
    w.write_frames("f", &frames(T0, 300, 500)).unwrap();
    // What a crash right now would leave on disk: everything flushed, and part of the rest.
    let snapshot = dir.path("snapshot.mcap");
    std::fs::copy(&path, &snapshot).unwrap();
    let reader = McapReader::open(&snapshot).unwrap();
    assert!(!reader.is_finished());
    let partial = reader.read_frames(Some("f"), None, None).unwrap();
    assert!(partial[0].num_rows() >= 500);
    assert_eq!(partial[0].slice(0, 500), first);
    let stats = recover(&snapshot, dir.path("fixed.mcap")).unwrap();
    assert_eq!(stats.messages as usize, partial[0].num_rows());
    assert!(!stats.data_intact);
    assert_eq!(w.finish().unwrap().messages, 800);
}

#[test]
fn crc_mismatches_are_reported() {
    let dir = TempDir::new("crc");
    let path = dir.path("c.mcap");
    write_session(
        &path,
        McapOptions::default().with_compression(Compression::None),
    );
    let bytes = std::fs::read(&path).unwrap();
    let summary = mcap::Summary::read(&bytes).unwrap().unwrap();
    let chunk = &summary.chunk_indexes[0];
    let mut damaged = bytes.clone();
    let at = chunk.compressed_data_offset().unwrap() as usize + 100;
    damaged[at] ^= 0x55;
    let bad = dir.path("bad.mcap");
    std::fs::write(&bad, &damaged).unwrap();
    let err = read_frames(&bad, None, None, None).unwrap_err();
    assert!(err.to_string().contains("CRC"), "{err}");
    assert!(verify(&bad).unwrap_err().to_string().contains("CRC"));

    // A damaged summary (a topic name in the channel records it repeats) fails to open.
    let mut damaged = bytes.clone();
    let at = bytes
        .windows(11)
        .rposition(|w| w == b"/pcars2/raw")
        .unwrap();
    assert!(at as u64 > summary.chunk_indexes.last().unwrap().chunk_start_offset);
    damaged[at + 1] = b'P';
    std::fs::write(&bad, &damaged).unwrap();
    let err = McapReader::open(&bad).unwrap_err();
    assert!(err.to_string().contains("CRC"), "{err}");
}
