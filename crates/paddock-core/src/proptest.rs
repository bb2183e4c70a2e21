//! Property-test strategies for paddock's types (compiled under the `proptest` feature, which
//! the crate's own tests enable): arbitrary Project CARS 1 and 2 and Assetto Corsa packets of
//! every kind, and ACC broadcasting messages.

use proptest::prelude::{any, Strategy};

use crate::protocols::pcars2::wire::Codec;
use crate::protocols::pcars2::{
    ClassNames, GameState, Packet, PacketKind, Participants, Race, Telemetry, TimeStats, Timings,
    VehicleNames,
};

/// A small deterministic generator (SplitMix64) that fills records field by field from one
/// proptest-drawn seed, so that a packet of 70-odd fields needs no 70-way tuple strategy.
#[derive(Debug, Clone)]
pub struct Gen {
    state: u64,
}

impl Gen {
    /// A generator seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `N` random bytes.
    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            for (slot, byte) in chunk.iter_mut().zip(word) {
                *slot = byte;
            }
        }
        out
    }

    /// A random index below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        if n == 0 {
            0
        } else {
            usize::try_from(self.next_u64() % n).unwrap_or(0)
        }
    }

    /// A float that is never NaN: mostly ordinary values, sometimes zeros of either sign,
    /// infinities, subnormals or the extremes, sometimes raw bit patterns.
    pub fn f32(&mut self) -> f32 {
        let value = match self.below(8) {
            0 => *[
                0.0,
                -0.0,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::MIN_POSITIVE / 2.0,
                f32::MAX,
                f32::MIN,
                -1.0,
            ]
            .get(self.below(8))
            .unwrap_or(&0.0),
            1 | 2 => f32::from_bits(u32::from_le_bytes(self.bytes())),
            _ => {
                #[allow(clippy::cast_precision_loss)]
                let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
                (unit - 0.5) * 2000.0
            }
        };
        if value.is_nan() {
            1.5
        } else {
            value
        }
    }

    /// A string of at most `max_bytes` UTF-8 bytes with no NUL: ASCII, accented Latin,
    /// Cyrillic, CJK and emoji characters.
    pub fn text(&mut self, max_bytes: usize) -> String {
        const POOL: &[char] = &[
            'a', 'Z', '0', ' ', '-', '_', '.', 'é', 'ü', 'ß', 'Ж', 'я', '東', '京', '🏁', '🚗',
        ];
        let target = self.below(max_bytes + 1);
        let mut out = String::new();
        while out.len() < target {
            let c = *POOL.get(self.below(POOL.len())).unwrap_or(&'a');
            if out.len() + c.len_utf8() > max_bytes {
                break;
            }
            out.push(c);
        }
        out
    }
}

/// An arbitrary record of codec `C`.
fn record<C: Codec>() -> impl Strategy<Value = C::Value> {
    any::<u64>().prop_map(|seed| C::generate(&mut Gen::new(seed)))
}

/// An arbitrary packet of `kind`: every field random (floats never NaN, strings without NUL and
/// short enough to survive encoding), so that `decode(encode(p)) == p`.
pub fn pcars2_packet_of(kind: PacketKind) -> proptest::strategy::BoxedStrategy<Packet> {
    match kind {
        PacketKind::Telemetry => record::<Telemetry>().prop_map(Packet::Telemetry).boxed(),
        PacketKind::Race => record::<Race>().prop_map(Packet::Race).boxed(),
        PacketKind::Participants => record::<Participants>()
            .prop_map(Packet::Participants)
            .boxed(),
        PacketKind::Timings => record::<Timings>().prop_map(Packet::Timings).boxed(),
        PacketKind::GameState => record::<GameState>().prop_map(Packet::GameState).boxed(),
        PacketKind::TimeStats => record::<TimeStats>().prop_map(Packet::TimeStats).boxed(),
        PacketKind::VehicleNames => record::<VehicleNames>()
            .prop_map(Packet::VehicleNames)
            .boxed(),
        PacketKind::ClassNames => record::<ClassNames>().prop_map(Packet::ClassNames).boxed(),
    }
}

/// An arbitrary packet of any kind.
pub fn pcars2_packet() -> impl Strategy<Value = Packet> {
    proptest::sample::select(PacketKind::ALL.to_vec()).prop_flat_map(pcars2_packet_of)
}

/// An arbitrary Project CARS 1 packet of `kind`: every field random (floats never NaN, strings
/// without NUL and short enough to survive encoding), the type bits of the header byte matching
/// the kind, so that `decode(encode(p)) == p`.
pub fn pcars1_packet_of(
    kind: crate::protocols::pcars1::PacketKind,
) -> proptest::strategy::BoxedStrategy<crate::protocols::pcars1::Packet> {
    use crate::protocols::pcars1::{
        Packet as P1, PacketKind as K1, ParticipantStrings, ParticipantStringsAdditional,
        Telemetry as T1,
    };
    let packet = match kind {
        K1::Telemetry => record::<T1>().prop_map(P1::Telemetry).boxed(),
        K1::ParticipantStrings => record::<ParticipantStrings>()
            .prop_map(P1::ParticipantStrings)
            .boxed(),
        K1::ParticipantStringsAdditional => record::<ParticipantStringsAdditional>()
            .prop_map(P1::ParticipantStringsAdditional)
            .boxed(),
    };
    packet
        .prop_map(|mut p| {
            let packet_type = p.kind().packet_type();
            let header = match &mut p {
                P1::Telemetry(t) => &mut t.header,
                P1::ParticipantStrings(s) => &mut s.header,
                P1::ParticipantStringsAdditional(a) => &mut a.header,
            };
            header.packet_type_sequence = (header.packet_type_sequence & !0x03) | packet_type;
            p
        })
        .boxed()
}

/// An arbitrary Project CARS 1 packet of any kind.
pub fn pcars1_packet() -> impl Strategy<Value = crate::protocols::pcars1::Packet> {
    proptest::sample::select(crate::protocols::pcars1::PacketKind::ALL.to_vec())
        .prop_flat_map(pcars1_packet_of)
}

/// An arbitrary Assetto Corsa packet of `kind`, every field random (floats never NaN, strings
/// short enough and free of `%`/NUL), with `car_info`'s `identifier` and `size` at the values
/// [`crate::protocols::ac::decode`] requires, so that `decode(encode(p)) == p`.
pub fn ac_packet_of(
    kind: crate::protocols::ac::PacketKind,
) -> proptest::strategy::BoxedStrategy<crate::protocols::ac::Packet> {
    use crate::protocols::ac::{CarInfo, HandshakeResponse, Handshaker, Lap, Packet, PacketKind};
    match kind {
        PacketKind::Handshaker => record::<Handshaker>().prop_map(Packet::Handshaker).boxed(),
        PacketKind::HandshakeResponse => record::<HandshakeResponse>()
            .prop_map(Packet::HandshakeResponse)
            .boxed(),
        PacketKind::CarInfo => record::<CarInfo>()
            .prop_map(|mut c| {
                c.identifier = b'a';
                c.size = 328;
                Packet::CarInfo(c)
            })
            .boxed(),
        PacketKind::Lap => record::<Lap>().prop_map(Packet::Lap).boxed(),
    }
}

/// An arbitrary Assetto Corsa packet of any kind.
pub fn ac_packet() -> impl Strategy<Value = crate::protocols::ac::Packet> {
    proptest::sample::select(crate::protocols::ac::PacketKind::ALL.to_vec())
        .prop_flat_map(ac_packet_of)
}

/// Strategies for Assetto Corsa Competizione broadcasting messages.
pub mod acc {
    use proptest::prelude::*;

    use crate::protocols::acc::{
        BroadcastingEvent, CameraSet, ConnectionRequest, Driver, EntryList, EntryListCar, LapInfo,
        Packet, RealtimeCarUpdate, RealtimeUpdate, RegisterApplication, RegistrationResult,
        TrackData, Unregister,
    };

    /// Short strings with multi-byte characters.
    pub fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 é漢]{0,12}"
    }

    /// Arbitrary LapInfo with 0–4 splits.
    pub fn lap() -> impl Strategy<Value = LapInfo> {
        (
            any::<i32>(),
            any::<u16>(),
            any::<u16>(),
            prop::collection::vec(any::<i32>(), 0..5),
            any::<[u8; 4]>(),
        )
            .prop_map(|(laptime_ms, car_index, driver_index, splits, f)| LapInfo {
                laptime_ms,
                car_index,
                driver_index,
                splits,
                is_invalid: f[0],
                is_valid_for_best: f[1],
                is_outlap: f[2],
                is_inlap: f[3],
            })
    }

    /// Finite floats (so that records compare equal).
    pub fn float() -> impl Strategy<Value = f32> {
        -1.0e6f32..1.0e6f32
    }

    /// Arbitrary ACC → client messages of every type.
    pub fn inbound() -> impl Strategy<Value = Packet> {
        let result = (any::<i32>(), any::<u8>(), any::<u8>(), text()).prop_map(|(a, b, c, d)| {
            Packet::RegistrationResult(RegistrationResult {
                connection_id: a,
                connection_success: b,
                writable: c,
                error_message: d,
            })
        });
        let update = (
            (
                any::<u16>(),
                any::<u16>(),
                any::<u8>(),
                any::<u8>(),
                float(),
                float(),
                any::<i32>(),
            ),
            (
                text(),
                text(),
                text(),
                any::<u8>(),
                float(),
                float(),
                float(),
            ),
            (any::<[u8; 5]>(), lap()),
        )
            .prop_map(
                |((ev, se, st, ph, t, e, fc), (cs, ca, hud, rp, r1, r2, tod), (w, l))| {
                    Packet::RealtimeUpdate(RealtimeUpdate {
                        event_index: ev,
                        session_index: se,
                        session_type: st,
                        phase: ph,
                        session_time: t,
                        session_end_time: e,
                        focused_car_index: fc,
                        active_camera_set: cs,
                        active_camera: ca,
                        current_hud_page: hud,
                        is_replay_playing: rp,
                        replay_session_time: (rp != 0).then_some(r1),
                        replay_remaining_time: (rp != 0).then_some(r2),
                        time_of_day: tod,
                        ambient_temp: w[0],
                        track_temp: w[1],
                        clouds: w[2],
                        rain_level: w[3],
                        wetness: w[4],
                        best_session_lap: l,
                    })
                },
            );
        let car = (
            (
                any::<[u16; 2]>(),
                any::<[u8; 3]>(),
                float(),
                float(),
                float(),
            ),
            (any::<[u16; 5]>(), float(), any::<i32>()),
            (lap(), lap(), lap()),
        )
            .prop_map(|((ci, b, x, y, yaw), (u, sp, d), (l1, l2, l3))| {
                Packet::RealtimeCarUpdate(RealtimeCarUpdate {
                    car_index: ci[0],
                    driver_index: ci[1],
                    driver_count: b[0],
                    gear: b[1],
                    world_pos_x: x,
                    world_pos_y: y,
                    yaw,
                    car_location: b[2],
                    kmh: u[0],
                    position: u[1],
                    cup_position: u[2],
                    track_position: u[3],
                    spline_position: sp,
                    laps: u[4],
                    delta_ms: d,
                    best_session_lap: l1,
                    last_lap: l2,
                    current_lap: l3,
                })
            });
        let list = (any::<i32>(), prop::collection::vec(any::<u16>(), 0..6)).prop_map(|(c, v)| {
            Packet::EntryList(EntryList {
                connection_id: c,
                car_indices: v,
            })
        });
        let driver =
            (text(), text(), text(), any::<u8>(), any::<u16>()).prop_map(|(a, b, c, d, e)| {
                Driver {
                    first_name: a,
                    last_name: b,
                    short_name: c,
                    category: d,
                    nationality: e,
                }
            });
        let entry = (
            (any::<u16>(), any::<u8>(), text(), any::<i32>()),
            (
                any::<[u8; 2]>(),
                any::<u16>(),
                prop::collection::vec(driver, 0..4),
            ),
        )
            .prop_map(|((ci, m, team, num), (b, nat, drivers))| {
                Packet::EntryListCar(EntryListCar {
                    car_index: ci,
                    car_model_type: m,
                    team_name: team,
                    race_number: num,
                    cup_category: b[0],
                    current_driver_index: b[1],
                    nationality: nat,
                    drivers,
                })
            });
        let set = (text(), prop::collection::vec(text(), 0..4))
            .prop_map(|(name, cameras)| CameraSet { name, cameras });
        let track = (
            any::<i32>(),
            text(),
            any::<[i32; 2]>(),
            prop::collection::vec(set, 0..4),
            prop::collection::vec(text(), 0..4),
        )
            .prop_map(|(c, name, ids, sets, pages)| {
                Packet::TrackData(TrackData {
                    connection_id: c,
                    track_name: name,
                    track_id: ids[0],
                    track_meters: ids[1],
                    camera_sets: sets,
                    hud_pages: pages,
                })
            });
        let event = (any::<u8>(), text(), any::<i32>(), any::<i32>()).prop_map(|(a, b, c, d)| {
            Packet::BroadcastingEvent(BroadcastingEvent {
                event_type: a,
                message: b,
                time_ms: c,
                car_id: d,
            })
        });
        prop_oneof![result, update, car, list, entry, track, event]
    }

    /// Arbitrary client → ACC messages of every type.
    pub fn outbound() -> impl Strategy<Value = Packet> {
        let reg =
            (any::<u8>(), text(), text(), any::<i32>(), text()).prop_map(|(v, a, b, c, d)| {
                Packet::RegisterCommandApplication(RegisterApplication {
                    protocol_version: v,
                    display_name: a,
                    connection_password: b,
                    update_interval_ms: c,
                    command_password: d,
                })
            });
        let req = any::<i32>()
            .prop_map(|c| Packet::RequestEntryList(ConnectionRequest { connection_id: c }));
        let track = any::<i32>()
            .prop_map(|c| Packet::RequestTrackData(ConnectionRequest { connection_id: c }));
        prop_oneof![
            reg,
            req,
            track,
            Just(Packet::UnregisterCommandApplication(Unregister {}))
        ]
    }
}

/// CAN: arbitrary decoder specs (valid or not, with multiplexer chains, cycles and signals
/// beyond their message) and arbitrary frames that mostly hit the spec's ids.
pub mod can {
    use proptest::prelude::{any, Strategy};

    use super::Gen;
    use crate::can::{
        ByteOrder, Conversion, DecoderSpec, MessageSpec, Multiplexer, Num, SignalSpec,
    };

    fn num(g: &mut Gen) -> Num {
        match g.below(4) {
            0 => Num::Int(0),
            1 => Num::Int(g.next_u64().cast_signed() >> g.below(64)),
            2 => Num::Float(format!("{:?}", f64::from(g.f32()))),
            _ => Num::Float(["0.1", "1e300", "-0.0", "nan", "inf", "1"][g.below(6)].to_string()),
        }
    }

    fn signal(g: &mut Gen, index: usize, count: usize, length_bytes: usize) -> SignalSpec {
        let float = g.below(6) == 0;
        // Now and then a length no signal may have (0, 65, a 12-bit float): the spec is refused.
        let invalid = g.below(50) == 0;
        let length = match (float, invalid) {
            (true, false) => [16, 32, 64][g.below(3)],
            (true, true) => 12,
            (false, false) => u32::try_from(g.below(64)).unwrap_or(0) + 1,
            (false, true) => [0, 65][g.below(2)],
        };
        let conversion = match g.below(3) {
            0 => Conversion::Identity,
            1 if !float => Conversion::Integer,
            _ => Conversion::Float,
        };
        let (scale, offset) = if conversion == Conversion::Integer {
            let small = |g: &mut Gen| i64::try_from(g.below(2001)).unwrap_or(0) - 1000;
            (Num::Int(small(g)), Num::Int(small(g)))
        } else {
            (num(g), num(g))
        };
        let span = u32::try_from(length_bytes * 8 + 16).unwrap_or(64);
        let multiplexer = (g.below(3) == 0).then(|| Multiplexer {
            signal: format!("s{}", g.below(count + 1)),
            ids: (0..g.below(4))
                .map(|_| i64::try_from(g.below(8)).unwrap_or(0))
                .collect(),
        });
        SignalSpec {
            name: format!("s{index}"),
            start: u32::try_from(g.below(span as usize)).unwrap_or(0),
            length,
            byte_order: if g.below(2) == 0 {
                ByteOrder::LittleEndian
            } else {
                ByteOrder::BigEndian
            },
            signed: g.below(2) == 0,
            float,
            conversion,
            scale,
            offset,
            multiplexer,
            pages: (g.below(3) == 0).then(|| {
                (0..g.below(5))
                    .map(|_| i64::try_from(g.below(8)).unwrap_or(0) - 1)
                    .collect()
            }),
            unit: None,
        }
    }

    /// A spec of one to four messages with up to eight signals each.
    pub fn decoder_spec() -> impl Strategy<Value = DecoderSpec> {
        any::<u64>().prop_map(|seed| {
            let mut g = Gen::new(seed);
            let messages = (0..=g.below(4))
                .map(|m| {
                    let length = [0, 1, 8, 8, 12, 64][g.below(6)];
                    let count = g.below(9);
                    let extended = g.below(3) == 0;
                    MessageSpec {
                        name: format!("m{m}"),
                        id: u32::try_from(g.below(if extended { 0x2000_0000 } else { 0x800 }))
                            .unwrap_or(0)
                            % if g.below(10) == 0 { 4 } else { u32::MAX },
                        extended,
                        length,
                        signals: (0..count)
                            .map(|i| signal(&mut g, i, count, length))
                            .collect(),
                    }
                })
                .collect();
            DecoderSpec { messages }
        })
    }

    /// Frames as `(ids, extended flags or none, payloads)`, ids mostly those of `spec`.
    pub fn frames_for(
        spec: &DecoderSpec,
        seed: u64,
    ) -> (Vec<u32>, Option<Vec<bool>>, Vec<Vec<u8>>) {
        let mut g = Gen::new(seed);
        let n = g.below(200);
        let with_flags = g.below(2) == 0;
        let (mut ids, mut ext, mut data) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let (id, extended) = match spec.messages.get(g.below(spec.messages.len() + 1)) {
                Some(m) => (m.id, m.extended),
                None => (
                    u32::try_from(g.next_u64() >> 32).unwrap_or(0),
                    g.below(2) == 0,
                ),
            };
            ids.push(id);
            ext.push(extended);
            let len = g.below(70);
            data.push(
                (0..len)
                    .map(|_| u8::try_from(g.below(256)).unwrap_or(0))
                    .collect(),
            );
        }
        (ids, with_flags.then_some(ext), data)
    }
}
