//! Rotation into segments, attachments, subsets, the record listing and lost-byte accounting.

use super::*;
use paddock_core::mcap::{records, recover, segment_path, subset, SubsetFilter};

fn segment_files(base: &Path) -> Vec<PathBuf> {
    (0..)
        .map(|i| segment_path(base, i))
        .take_while(|p| p.exists())
        .collect()
}

#[test]
fn segment_names_are_numbered_beside_the_base() {
    let base = Path::new("/data/rec/session.mcap");
    assert_eq!(
        segment_path(base, 0),
        Path::new("/data/rec/session-00000.mcap")
    );
    assert_eq!(
        segment_path(base, 12),
        Path::new("/data/rec/session-00012.mcap")
    );
    assert_eq!(
        segment_path(Path::new("plain"), 3),
        Path::new("plain-00003")
    );
}

#[test]
fn rotation_by_size_writes_complete_segments_holding_every_message() {
    let dir = TempDir::new("rotate-size");
    let base = dir.path("session.mcap");
    let options = McapOptions::default()
        .with_compression(Compression::None)
        .with_chunk_size(8 << 10)
        .with_rotate_bytes(Some(40 << 10));
    let mut w = McapWriter::create(&base, options).unwrap();
    w.add_metadata(
        "recording",
        BTreeMap::from([("name".to_string(), "long run".to_string())]),
    )
    .unwrap();
    let parts: Vec<RecordBatch> = (0..20).map(|k| frames(T0, 100, k * 100)).collect();
    for part in &parts {
        w.write_frames("/pcars2/frames", part).unwrap();
    }
    let stats = w.finish().unwrap();
    assert!(
        !base.exists(),
        "a rotating writer writes numbered segments only"
    );
    let files = segment_files(&base);
    assert!(files.len() >= 3, "{} segments", files.len());
    assert_eq!(stats.segments as usize, files.len());
    assert_eq!(stats.messages, 2000);
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert_eq!(stats.bytes, total);
    // One subset across every segment: sequences keep counting over rotation.
    let joined = dir.path("joined.mcap");
    let filter = SubsetFilter {
        start_sequence: 150,
        end_sequence: Some(1849),
        ..SubsetFilter::default()
    };
    let copied = subset(&files, &joined, &filter).unwrap();
    assert_eq!(copied.messages, 1700);
    assert_eq!(copied.metadata, 1, "repeated metadata is written once");
    let joined_frames = read_frames(&joined, None, None, None).unwrap();
    assert_eq!(joined_frames[0], concat(&parts).slice(150, 1700));
    let mut back = Vec::new();
    for file in &files {
        verify(file).unwrap();
        let info = McapReader::open(file).unwrap().info().unwrap();
        assert!(info.finished);
        assert_eq!(
            info.metadata.len(),
            1,
            "metadata repeated in {}",
            file.display()
        );
        back.extend(read_frames(file, None, None, None).unwrap());
    }
    assert_eq!(concat(&back), concat(&parts));
}

#[test]
fn rotation_by_duration_starts_a_segment_per_period() {
    let dir = TempDir::new("rotate-time");
    let base = dir.path("session.mcap");
    // Batches of 100 rows 10 ms apart: 1 s each; rotate every 2 s of log time.
    let options = McapOptions::default().with_rotate_ns(Some(2_000_000_000));
    let mut w = McapWriter::create(&base, options).unwrap();
    for k in 0..6 {
        w.write_frames("/f", &frames(T0, 100, k * 100)).unwrap();
        w.write_raw(
            "/r",
            "p",
            &raw_batch(&[T0 + k as i64 * 1_000_000_000], &[vec![1, 2]]),
        )
        .unwrap();
    }
    let stats = w.finish().unwrap();
    let files = segment_files(&base);
    assert_eq!(files.len(), 3);
    assert_eq!(stats.segments, 3);
    for (i, file) in files.iter().enumerate() {
        let info = McapReader::open(file).unwrap().info().unwrap();
        assert_eq!(info.message_count, 202, "segment {i}");
        let span = info.end_ns - info.start_ns;
        assert!(span < 2_000_000_000, "segment {i} spans {span} ns");
        assert_eq!(read_raw(file, "/r").unwrap().num_rows(), 2);
    }
}

#[test]
fn zero_rotation_is_refused() {
    let dir = TempDir::new("rotate-zero");
    let options = McapOptions::default().with_rotate_bytes(Some(0));
    let err = McapWriter::create(dir.path("x.mcap"), options)
        .err()
        .unwrap();
    assert!(matches!(err, CoreError::InvalidArgument(_)), "{err}");
}

#[test]
fn attachments_are_written_indexed_and_listed() {
    let dir = TempDir::new("attach");
    let path = dir.path("a.mcap");
    let mut w = McapWriter::create(&path, McapOptions::default()).unwrap();
    w.write_frames("/f", &frames(T0, 10, 0)).unwrap();
    w.add_attachment("setup.json", "application/json", 5, 4, b"{\"wing\":3}")
        .unwrap();
    assert!(w.add_attachment("", "text/plain", 0, 0, b"x").is_err());
    let stats = w.finish().unwrap();
    assert_eq!(stats.attachments, 1);
    let bytes = std::fs::read(&path).unwrap();
    let summary = mcap::Summary::read(&bytes).unwrap().unwrap();
    assert_eq!(summary.attachment_indexes.len(), 1);
    let attachment = mcap::read::attachment(&bytes, &summary.attachment_indexes[0]).unwrap();
    assert_eq!(attachment.name, "setup.json");
    assert_eq!(&attachment.data[..], b"{\"wing\":3}");
    let listed = records(&path).unwrap();
    let kinds: Vec<&str> = listed.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"Header"));
    assert_eq!(kinds.last(), Some(&"Footer"));
    assert_eq!(kinds.iter().filter(|k| **k == "Message").count(), 10);
    assert!(kinds.contains(&"AttachmentIndex"));
    let a = listed.iter().find(|r| r["type"] == "Attachment").unwrap();
    assert_eq!(a["fields"]["media_type"], "application/json");
    assert_eq!(a["fields"]["log_time"], 5);
}

#[test]
fn subsets_keep_the_chosen_topics_and_sequences() {
    let dir = TempDir::new("subset");
    let full = dir.path("full.mcap");
    let (frames_in, _) = write_session(&full, McapOptions::default().with_chunk_size(16 << 10));
    let out = dir.path("part.mcap");
    let filter = SubsetFilter {
        topics: Some(vec!["/pcars2/frames".to_string()]),
        start_sequence: 100,
        end_sequence: Some(199),
        ..SubsetFilter::default()
    };
    let stats = subset(&[&full], &out, &filter).unwrap();
    assert_eq!(stats.messages, 100);
    verify(&out).unwrap();
    let info = McapReader::open(&out).unwrap().info().unwrap();
    assert_eq!(info.channels.len(), 1);
    assert_eq!(info.metadata.len(), 1);
    let back = read_frames(&out, None, None, None).unwrap();
    assert_eq!(back[0], frames_in.slice(100, 100));

    let missing = SubsetFilter {
        topics: Some(vec!["/nope".to_string()]),
        ..SubsetFilter::default()
    };
    let err = subset(&[&full], &out, &missing).unwrap_err();
    assert!(matches!(err, CoreError::InvalidArgument(_)), "{err}");
    assert!(!out.exists(), "a refused subset leaves no file");

    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path("cut.mcap");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(subset(&[&cut], &out, &SubsetFilter::default()).is_err());
    assert!(
        records(&cut).is_err(),
        "a truncated file does not list as whole"
    );
}

#[test]
fn recovery_reports_the_bytes_it_could_not_keep() {
    let dir = TempDir::new("lost");
    let full = dir.path("full.mcap");
    write_session(&full, McapOptions::default().with_chunk_size(8 << 10));
    let whole = recover(&full, dir.path("same.mcap")).unwrap();
    assert_eq!(whole.lost_bytes, 0);
    assert_eq!(whole.valid_bytes, whole.input_bytes);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path("cut.mcap");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let stats = recover(&cut, dir.path("out.mcap")).unwrap();
    assert!(stats.lost_bytes > 0);
    assert_eq!(stats.valid_bytes + stats.lost_bytes, stats.input_bytes);
    assert!(stats.stopped_by.is_some());
    // What was kept ends exactly at a record boundary: it reads back whole.
    let kept = dir.path("kept.mcap");
    std::fs::write(&kept, &bytes[..usize::try_from(stats.valid_bytes).unwrap()]).unwrap();
    let again = recover(&kept, dir.path("again.mcap")).unwrap();
    assert_eq!(again.messages, stats.messages);
    assert!(again.stopped_by.is_some(), "still unfinished");
}
