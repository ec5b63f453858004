"""A small client of Streamlit's websocket protocol: what a browser tab sends and waits for, without a browser.

It opens ``/_stcore/stream``, asks for a page (a ``rerun_script`` BackMsg), reads ForwardMsgs until the
script has finished, remembers the widgets it saw, and sets widget values the way the frontend does (every
widget's current value in each rerun, and the hashes of the messages it has cached, so that the server sends
references for unchanged elements). One client costs a few ms of CPU per rerun, a browser tab far more.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

MAX_MESSAGE_BYTES = 64 * 2**20
FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class ScriptError(RuntimeError):
    """The page showed an exception box, or the script did not finish."""


@dataclass
class Widget:
    """A widget as the client saw it in a delta: its id, its element type and the element itself."""

    id: str
    kind: str  # the element type: "slider" (also select_slider), "radio", "selectbox", "text_input", ...
    element: Any


@dataclass
class RunResult:
    """One script run as the client received it."""

    seconds: float  # from sending the BackMsg to the script_finished message
    messages: int  # ForwardMsgs received
    exceptions: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)  # /media/... URLs of st.image pictures


def _widget_ids(message, found: list[tuple[str, Any]]) -> None:
    """Every ``id`` of a widget (``$$ID-<hash>-<key>``) inside an element, depth first."""
    for descriptor, value in message.ListFields():
        if descriptor.name == "id" and isinstance(value, str) and value.startswith("$$ID"):
            found.append((value, message))
        elif descriptor.message_type is not None:
            for item in [value] if hasattr(value, "ListFields") else value:
                if hasattr(item, "ListFields"):
                    _widget_ids(item, found)


def _image_urls(element, out: list[str]) -> None:
    if element.WhichOneof("type") == "imgs":
        out.extend(img.url for img in element.imgs.imgs if img.url.startswith("/media/"))


class StreamlitSession:
    """One simulated browser tab: a websocket, the page's widgets, and the values this 'student' has set."""

    def __init__(self, base_url: str, timeout: float = 60.0, headers: dict[str, str] | None = None):
        self.url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.headers = headers or {}
        self.widgets: dict[str, Widget] = {}  # by user key (the part after the last "-" of the id)
        self.values: dict[str, WidgetState] = {}  # by widget id
        self.page_hash = ""
        self._cache: dict[str, ForwardMsg] = {}  # cacheable messages by hash, as the browser's message cache
        self.auto_reruns: dict[str, float] = {}  # st.fragment(run_every=...) on the page: fragment id -> seconds
        self._ws = None

    async def __aenter__(self) -> StreamlitSession:
        self._ws = await connect(
            self.url, subprotocols=["streamlit"], max_size=MAX_MESSAGE_BYTES, additional_headers=self.headers,
            open_timeout=self.timeout, compression=None,
        )  # fmt: skip
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    @property
    def response_headers(self) -> dict[str, str]:
        """The handshake's response headers (through nginx: X-Lab-Process, Set-Cookie)."""
        return dict(self._ws.response.headers) if self._ws is not None and self._ws.response else {}

    async def open_page(self, page: str) -> RunResult:
        """Ask for a page by its URL path ("" for Home), as a browser's first rerun does."""
        back = BackMsg()
        back.rerun_script.page_name = page
        back.rerun_script.query_string = ""
        return await self._run(back)

    async def set(self, key: str, value: Any) -> RunResult:
        """Give widget ``key`` a new value (numbers, option labels or text, as the user would) and rerun."""
        widget = self.widgets.get(key)
        if widget is None:
            raise ScriptError(f"no widget with key {key!r} on this page (have: {sorted(self.widgets)})")
        state = WidgetState(id=widget.id)
        kind = widget.kind
        if kind == "slider" and widget.element.options:  # a select_slider: Slider proto with option labels
            state.string_array_value.data[:] = [str(value)]
        elif kind == "slider":
            state.double_array_value.data[:] = list(value) if isinstance(value, list | tuple) else [float(value)]
        elif kind in ("radio", "selectbox", "text_input", "text_area"):
            state.string_value = str(value)
        elif kind == "number_input":
            state.double_value = float(value)
        elif kind in ("checkbox", "toggle"):
            state.bool_value = bool(value)
        elif kind == "button":
            state.trigger_value = True
        else:
            raise ScriptError(f"setting a {kind} is not supported by this client")
        self.values[widget.id] = state
        try:
            return await self._run(self._rerun())
        finally:
            if kind == "button":  # a trigger fires once
                self.values.pop(widget.id, None)

    async def follow_fragments(self, seconds: float) -> int:
        """Rerun the page's ``run_every`` fragments (live training panels) at their interval for ``seconds``, as
        the browser's timers do, so that the server does the work a real tab would make it do; returns the runs.

        A panel whose model is ready reruns the whole page, which ends its fragment (``stop_auto_rerun``).
        """
        deadline, runs = time.perf_counter() + seconds, 0
        while (left := deadline - time.perf_counter()) > 0:
            if not self.auto_reruns:
                await asyncio.sleep(min(0.1, left))
                continue
            await asyncio.sleep(min(min(self.auto_reruns.values()), left))
            for fragment_id in list(self.auto_reruns):
                await self._run(self._rerun(fragment_id))
                runs += 1
        return runs

    def _rerun(self, fragment_id: str = "") -> BackMsg:
        """A rerun of this page (or of one of its fragments, as its timer fires) with every widget's value and the
        hashes of the messages this client has, as the frontend sends it."""
        back = BackMsg()
        back.rerun_script.page_script_hash = self.page_hash
        back.rerun_script.query_string = ""
        if fragment_id:
            back.rerun_script.fragment_id = fragment_id
            back.rerun_script.is_auto_rerun = True
        back.rerun_script.widget_states.widgets.extend(self.values.values())
        back.rerun_script.cached_message_hashes.extend(self._cache)
        return back

    def options(self, key: str) -> list[str]:
        """The option labels of a radio, selectbox or select_slider seen on the page."""
        return list(self.widgets[key].element.options)

    async def _run(self, back: BackMsg) -> RunResult:
        started = time.perf_counter()
        if not back.rerun_script.fragment_id:  # a run of the whole page starts its fragments' timers afresh
            self.auto_reruns.clear()
        await self._ws.send(back.SerializeToString())
        result = RunResult(seconds=0.0, messages=0)
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ScriptError(f"no script_finished within {self.timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self._ws.recv(), timeout=remaining)
            except TimeoutError as exc:
                raise ScriptError(f"no script_finished within {self.timeout:.0f} s") from exc
            message = ForwardMsg()
            message.ParseFromString(data)
            result.messages += 1
            kind = message.WhichOneof("type")
            if kind == "ref_hash":  # an element the server knows we have: use our copy
                cached = self._cache.get(message.ref_hash)
                if cached is None:
                    raise ScriptError(f"the server referred to a message this client never had ({message.ref_hash})")
                message, kind = cached, cached.WhichOneof("type")
            elif message.metadata.cacheable and message.hash:
                self._cache[message.hash] = message
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._note(message.delta.new_element, result)
            elif kind == "auto_rerun":
                self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fragment_id in message.stop_auto_rerun.fragment_ids:
                    self.auto_reruns.pop(fragment_id, None)
            elif kind == "navigation":
                self.page_hash = message.navigation.page_script_hash
            elif kind == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the router reran the script for the page; the real run follows
                result.seconds = time.perf_counter() - started
                if message.script_finished not in FINISHED_OK:
                    result.exceptions.append(f"script finished with status {message.script_finished}")
                return result

    def _note(self, element, result: RunResult) -> None:
        if element.WhichOneof("type") == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        _image_urls(element, result.media)
        found: list[tuple[str, Any]] = []
        _widget_ids(element, found)
        for widget_id, proto in found:
            key = widget_id.rsplit("-", 1)[-1]
            self.widgets[key] = Widget(widget_id, element.WhichOneof("type"), proto)
