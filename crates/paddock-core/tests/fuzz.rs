//! A bounded mutation fuzzer over every protocol decoder, run with the test suite.
//!
//! Seeds are valid datagrams of every packet type of every protocol (drawn from the property-test
//! strategies) plus the real captures when the test data is there. Each round picks a seed (or
//! an earlier mutant), mutates it (bit flips, interesting bytes, truncation, extension, splices,
//! overwritten length bytes) and hands the result to every decoder: each protocol's `decode`,
//! its stateful frame decoder (kept across rounds, so state-dependent paths run: ACC's focused
//! car and track length, Project CARS' format detection) and, in groups, its batch decoder. A
//! panic fails the test with the seed and the input in hex.
//!
//! Budget: `PADDOCK_FUZZ_ROUNDS` rounds (default 300,000); `PADDOCK_FUZZ_SEED` picks another
//! deterministic sequence (default 0). Long runs: `PADDOCK_FUZZ_ROUNDS=10000000 cargo test
//! --profile ci -p paddock-core --test fuzz`.

#![allow(clippy::expect_used)] // test harness: a failed setup step is a failed test

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use paddock_core::arrow::FrameBuilder;
use paddock_core::proptest as strategies;
use paddock_core::proptest::Gen;
use paddock_core::protocols::{self, ac, acc, frame_decoder, pcars1, pcars2, FrameDecoder};

const SEEDS_PER_PROTOCOL: usize = 96;
const BATCH: usize = 64;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sample<S: Strategy>(strategy: S, runner: &mut TestRunner, n: usize) -> Vec<S::Value> {
    (0..n)
        .map(|_| strategy.new_tree(runner).expect("strategy draws").current())
        .collect()
}

fn seeds() -> Vec<Vec<u8>> {
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    let n = SEEDS_PER_PROTOCOL;
    out.extend(
        sample(strategies::pcars2_packet(), &mut runner, n)
            .iter()
            .map(pcars2::encode),
    );
    out.extend(
        sample(strategies::pcars1_packet(), &mut runner, n)
            .iter()
            .map(pcars1::encode),
    );
    out.extend(
        sample(strategies::ac_packet(), &mut runner, n)
            .iter()
            .map(ac::encode),
    );
    out.extend(
        sample(strategies::acc::inbound(), &mut runner, n)
            .iter()
            .map(acc::encode),
    );
    out.extend(
        sample(strategies::acc::outbound(), &mut runner, n)
            .iter()
            .map(acc::encode),
    );
    out.extend(captures());
    out
}

/// Up to 200 datagrams of each real capture, when the test data is present.
fn captures() -> Vec<Vec<u8>> {
    let root = std::env::var_os("PADDOCK_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata")
        });
    let mut out = Vec::new();
    if let Ok(data) = std::fs::read(root.join("udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw")) {
        out.extend(data.chunks(328).step_by(40).take(200).map(<[u8]>::to_vec));
    }
    if let Ok(data) = std::fs::read(root.join("udp/pcars1/pcars.bin.raw")) {
        let mut at = 0;
        while at + 3 <= data.len() && out.len() < 400 {
            let size = [1367, 1347, 1028, 0][usize::from(data[at + 2] & 3)];
            if size == 0 || at + size > data.len() {
                break;
            }
            out.push(data[at..at + size].to_vec());
            at += size;
        }
    }
    out
}

fn mutate(g: &mut Gen, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=g.below(4) {
        match g.below(8) {
            0 if !out.is_empty() => {
                let i = g.below(out.len());
                out[i] ^= 1 << g.below(8);
            }
            1 if !out.is_empty() => {
                let i = g.below(out.len());
                out[i] = [0, 1, 0x7F, 0x80, 0xFF][g.below(5)];
            }
            2 => out.truncate(g.below(out.len() + 1)),
            3 => {
                let extra = g.below(64);
                out.extend((0..extra).map(|_| g.bytes::<1>()[0]));
            }
            4 => {
                let other = &corpus[g.below(corpus.len())];
                let cut = g.below(out.len() + 1);
                let from = g.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            5 if out.len() >= 2 => {
                // Strings and lists are length-prefixed: make a length huge or zero.
                let i = g.below(out.len() - 1);
                let value: [u8; 2] = [[0xFF, 0xFF], [0, 0], [0xFF, 0x7F]][g.below(3)];
                out[i..i + 2].copy_from_slice(&value);
            }
            6 if out.len() >= 4 => {
                let i = g.below(out.len() - 3);
                out[i..i + 4].copy_from_slice(&g.bytes::<4>());
            }
            _ => out = g.bytes::<8>()[..g.below(9)].to_vec(),
        }
    }
    out
}

struct Targets {
    decoders: Vec<(Box<dyn FrameDecoder>, FrameBuilder)>,
    pending: Vec<Vec<u8>>,
    decoded: u64,
}

impl Targets {
    fn new() -> Self {
        let decoders = protocols::PROTOCOLS
            .iter()
            .map(|name| {
                let decoder = frame_decoder(name).expect("registered protocol");
                let builder = FrameBuilder::new(decoder.channels());
                (decoder, builder)
            })
            .collect();
        Self {
            decoders,
            pending: Vec::new(),
            decoded: 0,
        }
    }

    fn run(&mut self, ts_ns: i64, input: &[u8]) {
        self.decoded += u64::from(pcars2::decode(input).is_ok());
        self.decoded += u64::from(pcars1::decode(input).is_ok());
        self.decoded += u64::from(ac::decode(input).is_ok());
        self.decoded += u64::from(acc::decode(input).is_ok());
        self.decoded += u64::from(acc::decode_outbound(input).is_ok());
        for (decoder, builder) in &mut self.decoders {
            let _ = decoder.push(ts_ns, input, builder);
            let _ = decoder.take_replies();
            if builder.len() >= 1024 {
                builder.finish().expect("frame batch");
            }
        }
        self.pending.push(input.to_vec());
        if self.pending.len() == BATCH {
            let items = || {
                self.pending
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i as i64, d.as_slice()))
            };
            pcars2::decode_batch(items()).expect("pcars2 batch");
            pcars1::decode_batch(items()).expect("pcars1 batch");
            ac::decode_batch(items()).expect("ac batch");
            acc::decode_batch(items()).expect("acc batch");
            self.pending.clear();
        }
    }
}

#[test]
fn mutated_datagrams_never_panic_any_decoder() {
    let rounds = env_u64("PADDOCK_FUZZ_ROUNDS", 300_000);
    let seed = env_u64("PADDOCK_FUZZ_SEED", 0);
    let mut corpus = seeds();
    let seed_count = corpus.len();
    let mut g = Gen::new(seed);
    let mut targets = Targets::new();
    for round in 0..rounds {
        let base = &corpus[g.below(corpus.len())];
        let input = mutate(&mut g, base, &corpus);
        let ts = i64::try_from(round).unwrap_or(i64::MAX);
        let outcome = catch_unwind(AssertUnwindSafe(|| targets.run(ts, &input)));
        if outcome.is_err() {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("decoder panicked in round {round} (PADDOCK_FUZZ_SEED={seed}) on {hex}");
        }
        // Keep some mutants that still decode somewhere, to go deeper from them.
        if round % 16 == 0 && corpus.len() < seed_count * 4 {
            corpus.push(input);
        }
    }
    // Mutants of valid packets must still reach the decoders' inner paths, not only the
    // length checks: a good share decodes.
    assert!(
        targets.decoded > rounds / 20,
        "only {} decoded",
        targets.decoded
    );
}
