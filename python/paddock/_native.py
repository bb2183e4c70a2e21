"""The one module that imports the compiled extension; everything else imports from here."""

from paddock import _core

__version__: str = _core.__version__
build_profile: str = _core.build_profile

Batch = _core.Batch
CanDecoder = _core.CanDecoder
UdpFeed = _core.UdpFeed
RingBuffer = _core.RingBuffer
McapWriter = _core.McapWriter
RawWriter = _core.RawWriter
read_raw_file = _core.read_raw_file
mcap_read_frames = _core.mcap_read_frames
mcap_read_raw = _core.mcap_read_raw
mcap_recover = _core.mcap_recover
mcap_info = _core.mcap_info
mcap_verify = _core.mcap_verify
mcap_records = _core.mcap_records
mcap_subset = _core.mcap_subset
pcars2_decode = _core.pcars2_decode
pcars2_encode = _core.pcars2_encode
pcars2_decode_batch = _core.pcars2_decode_batch
pcars2_frames = _core.pcars2_frames
pcars1_decode = _core.pcars1_decode
pcars1_encode = _core.pcars1_encode
pcars1_decode_batch = _core.pcars1_decode_batch
pcars1_frames = _core.pcars1_frames
ac_decode = _core.ac_decode
ac_encode = _core.ac_encode
ac_decode_batch = _core.ac_decode_batch
ac_frames = _core.ac_frames
acc_decode = _core.acc_decode
acc_encode = _core.acc_encode
acc_decode_batch = _core.acc_decode_batch
acc_frames = _core.acc_frames
channel_registry = _core.channel_registry
live_message = _core.live_message

PaddockError = _core.PaddockError
DecodeError = _core.DecodeError
RecordingError = _core.RecordingError
FeedError = _core.FeedError
InvalidArgument = _core.InvalidArgument

__all__ = [
    "Batch",
    "CanDecoder",
    "DecodeError",
    "FeedError",
    "InvalidArgument",
    "McapWriter",
    "PaddockError",
    "RawWriter",
    "RecordingError",
    "RingBuffer",
    "UdpFeed",
    "__version__",
    "ac_decode",
    "ac_decode_batch",
    "ac_encode",
    "ac_frames",
    "acc_decode",
    "acc_decode_batch",
    "acc_encode",
    "acc_frames",
    "build_profile",
    "channel_registry",
    "live_message",
    "mcap_info",
    "mcap_read_frames",
    "mcap_read_raw",
    "mcap_records",
    "mcap_recover",
    "mcap_subset",
    "mcap_verify",
    "pcars1_decode",
    "pcars1_decode_batch",
    "pcars1_encode",
    "pcars1_frames",
    "pcars2_decode",
    "pcars2_decode_batch",
    "pcars2_encode",
    "pcars2_frames",
    "read_raw_file",
]
