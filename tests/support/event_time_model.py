"""Reference model of vigil's event-time correlation contract (issue 12), for the determinism
tests: what alerts a stream must raise, computed without any vigil code.

Input: the correlations of a test (as `Correlation`s that mirror the YAML the test writes) and
the generated events (`Event`: event time in ms, fields, the names of the detection rules it
matches). Output: the correlation alerts (`Alert`: rule id, key, first_seen, last_seen, count),
decided as the contract says:

- a match is applied once the watermark has passed it, in the order (event time, correlation,
  key, rule position, value): the model applies matches with t < final_watermark, in that order;
- before a match at time t is applied, every timer due strictly before t fires (absences); at the
  end, every timer due strictly before the final watermark fires;
- event_count / value_count with gte are eager (they fire on the event that reaches N, then
  clear); temporal fires when every listed rule matched within the timespan; temporal_ordered
  when the rules matched in order with the whole chain within the timespan; absence [A] when the
  clock passes the key's last A + timespan; absence [A, B] when it passes the oldest unanswered
  A + timespan;
- suppress D: for D after a key fired (at the time of the firing), its matches update the open
  alert (count + 1, last_seen) instead of feeding the windows; a firing after that raises a new
  alert.

Where the contract leaves a detail open (first_seen of value_count, which chain start
temporal_ordered keeps, what a second A does while an [A, B] absence is pending), the model does
what lib/correlate/correlator_shard.cpp does; each such place says so. Keys are independent (no
chains, no key limits in these tests), so the model runs each (correlation, key) on its own.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Correlation:
    """One correlation rule. `rules` are detection rule names, in the order of the YAML `rules:`;
    `gte` is the condition of event_count / value_count (and optionally temporal); `field` the
    value_count field."""

    id: str
    type: str
    rules: tuple
    group_by: tuple
    timespan_ms: int
    gte: int = 0
    field: str = ""
    suppress_ms: int = 0

    def __post_init__(self):
        kinds = ("event_count", "value_count", "temporal", "temporal_ordered", "absence")
        if self.type not in kinds:
            raise ValueError(f"{self.id}: the model knows {kinds}, not {self.type}")
        if self.type in ("event_count", "value_count") and self.gte < 1:
            raise ValueError(f"{self.id}: {self.type} needs gte >= 1 (only eager windows are modelled)")
        if self.type == "value_count" and not self.field:
            raise ValueError(f"{self.id}: value_count needs a field")
        if self.type == "absence" and len(self.rules) not in (1, 2):
            raise ValueError(f"{self.id}: absence takes [A] or [A, B]")
        if self.type == "absence" and self.suppress_ms:
            # The contract says how a quiet key treats its matches, not how an absence that comes
            # due while quiet counts; the tests do not combine them.
            raise ValueError(f"{self.id}: suppress on absence is not modelled")


@dataclass(frozen=True)
class Event:
    time_ms: int
    fields: dict
    rules: frozenset  # names of the detection rules the event matches


@dataclass
class Alert:
    rule_id: str
    key: tuple
    first_seen: int
    last_seen: int
    count: int
    fired_at: int  # event time of the firing (the ULID's time part)
    last_change: int = 0  # event time of the last update (or of the firing)

    def facts(self):
        """What the tests compare: (rule id, key, first_seen, last_seen, count)."""
        return (self.rule_id, self.key, self.first_seen, self.last_seen, self.count)


def expected_alerts(correlations, events, final_watermark_ms):
    """The correlation alerts `events` (sorted by time) raise once the watermark stands at
    `final_watermark_ms`, in the order they were first raised."""
    matches = {}  # (correlation index, key) -> [(time, position, value)]
    for event in events:
        for c, corr in enumerate(correlations):
            if not any(name in event.rules for name in corr.rules):
                continue
            if any(not event.fields.get(f) for f in corr.group_by):
                continue  # an event that lacks a group-by field is not counted
            key = tuple(event.fields[f] for f in corr.group_by)
            value = event.fields.get(corr.field, "") if corr.field else ""
            for position, name in enumerate(corr.rules):
                if name in event.rules:
                    matches.setdefault((c, key), []).append((event.time_ms, position, value))
    alerts = []
    for (c, key), ms in sorted(matches.items(), key=lambda item: (item[0][0], item[0][1])):
        ms.sort()
        released = [m for m in ms if m[0] < final_watermark_ms]
        alerts += _run_key(correlations[c], key, released, final_watermark_ms)
    alerts.sort(key=lambda a: (a.fired_at, a.rule_id, a.key))
    return alerts


class _KeyState:
    """One (correlation, key): its window state and its open (suppressed) alert."""

    def __init__(self, corr, key, out):
        self.corr = corr
        self.key = key
        self.out = out
        self.open = None
        self.quiet_until = None
        self.reset()

    def reset(self):
        self.times = []  # event_count: event times in the window
        self.sightings = {}  # value_count: value -> last sighting
        self.last = {}  # temporal: position -> last match
        self.chain = {}  # temporal_ordered: position -> (start, end) of the latest chain 0..p
        self.newest = None  # temporal_ordered: the key's newest match
        self.last_a = None  # absence [A]
        self.pending_a = None  # absence [A, B]: oldest unanswered A
        self.last_b = None

    def fire(self, at, first, last, count):
        if self.open is not None and at < self.quiet_until:
            # Mirrors correlator_shard::fire: a firing while quiet adds to the open alert.
            self.open.count += count
            self.open.first_seen = min(self.open.first_seen, first)
            self.open.last_seen = max(self.open.last_seen, last)
            self.open.last_change = at
            return
        alert = Alert(self.corr.id, self.key, first, last, count, fired_at=at, last_change=at)
        self.out.append(alert)
        if self.corr.suppress_ms:
            self.open = alert
            self.quiet_until = at + self.corr.suppress_ms

    def timers_before(self, t):
        """Fires the absence due strictly before t."""
        span = self.corr.timespan_ms
        if self.last_a is not None and self.last_a + span < t:
            self.fire(self.last_a + span, self.last_a, self.last_a, 1)
            self.reset()  # the key is forgotten; a later A starts a new cycle
        if self.pending_a is not None and self.pending_a + span < t:
            self.fire(self.pending_a + span, self.pending_a, self.pending_a, 1)
            self.reset()  # as correlator_shard: the key is erased, later unanswered As with it

    def apply(self, t, position, value):
        corr = self.corr
        span = corr.timespan_ms
        if corr.type != "absence" and self.open is not None and t < self.quiet_until:
            # Quiet: the open alert takes the match (correlator_shard::apply).
            self.open.count += 1
            self.open.first_seen = min(self.open.first_seen, t)
            self.open.last_seen = max(self.open.last_seen, t)
            self.open.last_change = t
            self.newest = t if self.newest is None else max(self.newest, t)
            return
        if corr.type == "event_count":
            self.times = [x for x in self.times if x >= t - span] + [t]
            if len(self.times) >= corr.gte:
                window = self.times[-corr.gte:]
                self.reset()
                self.fire(t, window[0], t, corr.gte)
        elif corr.type == "value_count":
            self.sightings[value] = max(self.sightings.get(value, t), t)
            inside = [s for s in self.sightings.values() if s >= t - span]
            if len(inside) >= corr.gte:
                self.reset()
                # first_seen: the oldest last sighting among the values counted (as
                # correlator_shard::on_value_count).
                self.fire(t, min(inside), t, len(inside))
        elif corr.type == "temporal":
            self.last[position] = max(self.last.get(position, t), t)
            newest = max(self.last.values())
            present = [s for s in self.last.values() if s >= newest - span]
            if len(present) >= (corr.gte or len(corr.rules)):
                self.reset()
                self.fire(t, min(present), newest, len(present))
        elif corr.type == "temporal_ordered":
            self._ordered(t, position)
        else:
            self._absence(t, position)

    def _ordered(self, t, position):
        # As correlator_shard::on_temporal_ordered: for each position the latest chain
        # rules[0..p] (its start and end); a new rules[0] match restarts the chain later (the
        # latest start leaves the most time); chains older than the timespan are dropped.
        span = self.corr.timespan_ms
        self.newest = t if self.newest is None else max(self.newest, t)
        self.chain = {p: se for p, se in self.chain.items() if se[0] >= self.newest - span}
        last = len(self.corr.rules) - 1
        if position == 0:
            if 0 not in self.chain or t >= self.chain[0][0]:
                self.chain[0] = (t, t)
        else:
            before = self.chain.get(position - 1)
            mine = self.chain.get(position)
            if (before is not None and before[1] <= t and t - before[0] <= span
                    and (mine is None or before[0] >= mine[0])):
                self.chain[position] = (before[0], t)
                if position == last:
                    start = before[0]
                    self.reset()
                    self.fire(t, start, t, len(self.corr.rules))

    def _absence(self, t, position):
        span = self.corr.timespan_ms
        if len(self.corr.rules) == 1:
            self.last_a = t if self.last_a is None else max(self.last_a, t)
            return
        if position == 1:  # B answers the pending A when it comes within the timespan
            self.last_b = t if self.last_b is None else max(self.last_b, t)
            if self.pending_a is not None and self.pending_a <= t <= self.pending_a + span:
                self.pending_a = None
        elif self.pending_a is None:
            # An A while one is pending changes nothing (correlator_shard::on_absence); a B at
            # the same time as the A (applied after it, by rule position) answers it.
            answered = self.last_b is not None and t <= self.last_b <= t + span
            if not answered:
                self.pending_a = t


def _run_key(corr, key, matches, final_watermark_ms):
    out = []
    state = _KeyState(corr, key, out)
    for t, position, value in matches:
        state.timers_before(t)
        state.apply(t, position, value)
    state.timers_before(final_watermark_ms)
    return out
