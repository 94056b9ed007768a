"""The app's Streamlit configuration (.streamlit/config.toml), read by Streamlit itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A chart as large as a comparison's live panel, as the message Streamlit would send, hashed and
# flagged as Streamlit does before sending (forward_msg_cache.populate_hash_if_needed).
_PROBE = """
from streamlit import config
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_cache import populate_hash_if_needed

config.get_config_options(force_reparse=True)
msg = ForwardMsg()
msg.delta.new_element.vega_lite_chart.spec = '{"mark": "bar", "x": "%s"}' % ("0" * 200_000)
populate_hash_if_needed(msg)
print(msg.metadata.cacheable)
"""


def _cacheable(cwd: Path) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=cwd, capture_output=True, text=True, check=True
    )
    return out.stdout.strip() == "True"


def test_no_element_is_sent_as_a_reference_to_the_browsers_cache(tmp_path):
    """Live fragments age Streamlit's message cache differently in the server and the browser;
    a redraw that repeats a large chart exactly was sent as a reference the browser had just
    dropped ("Cached ForwardMsg MISS", a dead page: bench/classroom.py). The app sends every
    element whole; Streamlit's default (another folder, no config) would not."""
    assert not _cacheable(ROOT)
    assert _cacheable(tmp_path)
