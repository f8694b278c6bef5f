"""librdkafka side of `npm run bench`: one benchmark phase per invocation.

Run with the Debian interpreter (/usr/bin/python3), whose python3-confluent-kafka wraps
librdkafka 2.0.2 -- the client whose cost is negligible next to the broker's, unlike
kafkajs (DESIGN.md section 8). bench/run.ts orchestrates the phases:

    librdkafka_bench.py create-topic --bootstrap H:P --topic T --partitions N [--config key=value ...]
    librdkafka_bench.py produce      --bootstrap H:P --topic T --count N --size B --acks 1|all
    librdkafka_bench.py consume      --bootstrap H:P --topic T --partitions N --expect N
    librdkafka_bench.py latency      --bootstrap H:P --topic T --partitions N --count N --rate R --size B --acks 1|all
    librdkafka_bench.py small        --bootstrap H:P --topic T --count N --rate R --size B --acks 1|all --broker-pid P [--warmup-seconds S]
    librdkafka_bench.py delete-topic --bootstrap H:P --topic T
    librdkafka_bench.py echo-floor   --bootstrap H:P --topic - --count N --rate R --size B --broker-pid P

Output contract: exactly one JSON object on the last line of stdout, always with
"ok" (bool), "phase" and "librdkafka" (version string); on failure also "error" (str),
together with whatever was measured before the failure. librdkafka's own log lines go to
stderr. Exit code 0 when ok, 1 otherwise. Every phase ends by --timeout seconds, or
sooner once no record was acknowledged/received for --stall-timeout seconds: work still
pending then is reported (timedOut true), never waited for.

With --broker-pid, the produce, consume and small phases also report the broker's CPU
seconds ("brokerCpu": all threads, and the main thread alone, from /proc/<pid>/stat and
/proc/<pid>/task/<pid>/stat), read by this script at the exact edges of the measured
interval: the interval the rate is computed over, without the client's start-up,
connection set-up or warm-up. --min-seconds makes the produce and consume phases run at
least that long (produce runs further rounds of --count records; consume reads the
topic again from offset 0), so a fast phase is not a sub-second sample.

Only loopback bootstrap addresses are accepted.
"""

import argparse
import json
import resource
import socket
import struct
import sys
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition, libversion
from confluent_kafka.admin import AdminClient, NewTopic

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_ERROR_SAMPLES = 5

# Latency records start with a one-byte kind and the 8-byte send time (monotonic ns, big
# endian); the rest of the value is padding up to the record size.
LATENCY_HEADER = struct.Struct(">cQ")
KIND_WARMUP = b"W"
KIND_MEASURED = b"M"


class PhaseError(Exception):
    """A phase failed; `partial` holds what it measured before failing."""

    def __init__(self, message, partial=None):
        super().__init__(message)
        self.partial = partial or {}


class ErrorTally:
    """Counts delivery/consume errors and keeps the first few messages."""

    def __init__(self):
        self.count = 0
        self.samples = []
        self.lock = threading.Lock()

    def add(self, err):
        with self.lock:
            self.count += 1
            if len(self.samples) < MAX_ERROR_SAMPLES:
                self.samples.append(str(err))

    def as_dict(self):
        return {"errors": self.count, "errorSamples": list(self.samples)}


def check_loopback(bootstrap):
    for server in bootstrap.split(","):
        host = server.rsplit(":", 1)[0]
        if host not in LOOPBACK_HOSTS:
            raise PhaseError("bootstrap %r is not a loopback address" % server)


def common_config(args):
    return {
        "bootstrap.servers": args.bootstrap,
        # Never fall back to pre-0.10 protocol guesses: a broker that fails ApiVersions
        # should fail the bench, not silently be driven with MessageSet v0/v1.
        "api.version.request": True,
        "socket.nagle.disable": True,
    }


def cpu_seconds():
    """User + system CPU time of this process so far, librdkafka's threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


USER_HZ = 100


def read_cpu_ticks(stat_file):
    """utime + stime (clock ticks) from a /proc stat file: fields 14 and 15, counted after
    the parenthesised command name, which may contain spaces. None when unreadable."""
    try:
        with open(stat_file) as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split(" ")
    return int(fields[11]) + int(fields[12])


def broker_cpu_seconds(pid):
    """(all threads, main thread) CPU seconds of process `pid` so far; None without a pid
    or when /proc cannot be read. The main thread runs the broker's JavaScript; the
    others are V8's garbage-collection helpers and libuv's file I/O pool."""
    if not pid:
        return None
    total = read_cpu_ticks("/proc/%d/stat" % pid)
    main = read_cpu_ticks("/proc/%d/task/%d/stat" % (pid, pid))
    if total is None or main is None:
        return None
    return (total / USER_HZ, main / USER_HZ)


def cpu_delta(before, after):
    """{"all": s, "main": s} between two broker_cpu_seconds readings, None if either failed."""
    if before is None or after is None:
        return None
    return {"all": round(after[0] - before[0], 2), "main": round(after[1] - before[1], 2)}


def percentile(sorted_values, pct):
    """Nearest-rank percentile of an ascending list (pct in (0, 100])."""
    if not sorted_values:
        return None
    rank = -(-len(sorted_values) * pct // 100)  # ceil
    return sorted_values[max(0, int(rank) - 1)]


def wait_for_topic(admin, topic, partitions, deadline):
    """Polls metadata until `topic` has `partitions` partitions, each with a leader."""
    last = "no metadata yet"
    while time.monotonic() < deadline:
        try:
            meta = admin.list_topics(topic=topic, timeout=max(0.5, min(5.0, deadline - time.monotonic())))
            tmeta = meta.topics.get(topic)
            if tmeta is None:
                last = "topic absent from metadata"
            elif tmeta.error is not None:
                last = "metadata error %s" % tmeta.error
            elif len(tmeta.partitions) != partitions:
                last = "metadata shows %d partitions" % len(tmeta.partitions)
            elif any(p.leader < 0 or p.error is not None for p in tmeta.partitions.values()):
                last = "a partition has no leader"
            else:
                return
        except KafkaException as exc:
            last = str(exc)
        time.sleep(0.1)
    raise PhaseError("topic %s not ready: %s" % (topic, last))


def phase_create_topic(args):
    """Creates the topic explicitly (--replication-factor, default 1; --config key=value
    topic configs) and waits for its leaders."""
    deadline = time.monotonic() + args.timeout
    admin = AdminClient(common_config(args))
    started = time.perf_counter()
    futures = admin.create_topics(
        [NewTopic(args.topic, num_partitions=args.partitions, replication_factor=args.replication_factor, config=dict(c.split("=", 1) for c in args.config))],
        operation_timeout=min(30.0, args.timeout),
        request_timeout=min(30.0, args.timeout),
    )
    try:
        futures[args.topic].result(timeout=args.timeout)
    except KafkaException as exc:
        raise PhaseError("CreateTopics failed: %s" % exc)
    wait_for_topic(admin, args.topic, args.partitions, deadline)
    return {"topic": args.topic, "partitions": args.partitions, "seconds": time.perf_counter() - started}


def phase_delete_topic(args):
    admin = AdminClient(common_config(args))
    futures = admin.delete_topics([args.topic], operation_timeout=min(30.0, args.timeout), request_timeout=min(30.0, args.timeout))
    try:
        futures[args.topic].result(timeout=args.timeout)
    except KafkaException as exc:
        raise PhaseError("DeleteTopics failed: %s" % exc)
    return {"topic": args.topic}


def throughput_producer(args, errors):
    conf = common_config(args)
    conf.update({
        "acks": args.acks,
        "enable.idempotence": False,
        "compression.type": "none",
        "linger.ms": args.linger_ms,
        "batch.num.messages": 100000,
        "batch.size": 1000000,
        "queue.buffering.max.messages": 2000000,
        "queue.buffering.max.kbytes": 1048576,
        "message.timeout.ms": int(args.timeout * 1000),
        # Only failures reach Python: a per-record callback would measure the interpreter.
        "delivery.report.only.error": True,
        "on_delivery": lambda err, _msg: errors.add(err) if err is not None else None,
        "error_cb": lambda err: sys.stderr.write("producer error: %s\n" % err),
    })
    return Producer(conf)


def flush_until_stalled(producer, deadline, stall_timeout):
    """flush() in steps until the queue is empty, the deadline passes, or no record was
    acknowledged for `stall_timeout` seconds; returns the records still unacknowledged."""
    remaining = len(producer)
    last_progress = time.monotonic()
    while remaining > 0:
        now = time.monotonic()
        if now >= deadline or now - last_progress > stall_timeout:
            break
        left = producer.flush(min(1.0, deadline - now))
        if left < remaining:
            last_progress = time.monotonic()
        remaining = left
    return remaining


def phase_produce(args):
    """Produces --count records of --size bytes (null key, default sticky partitioner)
    as fast as librdkafka accepts them; the clock runs from the first produce() call to
    the end of the final flush(), so it covers every broker acknowledgement. With
    --min-seconds, rounds of --count records follow each other (each flushed before the
    next starts) until the phase has run that long."""
    errors = ErrorTally()
    producer = throughput_producer(args, errors)
    # Warm the connection and metadata outside the measured interval.
    producer.list_topics(topic=args.topic, timeout=10)
    payload = bytes((i * 31 + 7) & 0xFF for i in range(args.size))
    topic = args.topic
    produce = producer.produce
    poll = producer.poll
    deadline = time.monotonic() + args.timeout
    queued = 0
    timed_out = False
    broker_started = broker_cpu_seconds(args.broker_pid)
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    min_until = started + args.min_seconds
    target = args.count
    rounds = 1
    last_progress = time.monotonic()
    while True:
        if queued >= target:
            # --min-seconds: another round of --count records once this one is acknowledged
            # (so the client's queue never holds more than one round).
            if time.perf_counter() >= min_until or flush_until_stalled(producer, deadline, args.stall_timeout) > 0:
                break
            if time.perf_counter() >= min_until:
                break
            target += args.count
            rounds += 1
        try:
            produce(topic, payload)
            queued += 1
            if queued % 10000 == 0:
                poll(0)
                last_progress = time.monotonic()
        except BufferError:
            poll(0.002)
            now = time.monotonic()
            if now > deadline or now - last_progress > args.stall_timeout:
                timed_out = True
                break
    enqueued_at = time.perf_counter()
    unflushed = flush_until_stalled(producer, deadline, args.stall_timeout)
    finished = time.perf_counter()
    cpu_used = cpu_seconds() - cpu_started
    broker_used = cpu_delta(broker_started, broker_cpu_seconds(args.broker_pid))
    if unflushed > 0:
        timed_out = True
    delivered = queued - unflushed - errors.count
    result = {
        "brokerCpu": broker_used,
        "rounds": rounds,
        "records": delivered,
        "queued": queued,
        "unflushed": unflushed,
        "bytes": delivered * args.size,
        "seconds": finished - started,
        "enqueueSeconds": enqueued_at - started,
        "clientCpuSeconds": cpu_used,
        "timedOut": timed_out,
    }
    result.update(errors.as_dict())
    if timed_out or errors.count > 0:
        raise PhaseError("%d of %d records not acknowledged (%d errors, %d unflushed%s)" % (
            queued - delivered, queued, errors.count, unflushed, ", timed out" if timed_out else ""), result)
    return result


def assigned_consumer(args, extra=None):
    """A consumer assigned (not subscribed) to every partition from the beginning, so
    no group coordination is involved; offsets are never committed."""
    conf = common_config(args)
    conf.update({
        "group.id": "millrace-bench-%s" % args.topic,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": False,
        "error_cb": lambda err: sys.stderr.write("consumer error: %s\n" % err),
    })
    conf.update(extra or {})
    consumer = Consumer(conf)
    consumer.list_topics(topic=args.topic, timeout=10)
    return consumer


def phase_consume(args):
    """Reads the topic from offset 0 until --expect records arrived; the clock runs from
    assign() to the return of the poll that delivered the last record. Throughput counts
    record values only (the same bytes the producer phase counts).

    The pre-fetch queue limits are raised to their maximum: librdkafka 2.0.2 stops
    fetching a partition whose local queue holds queued.min.messages (default 100,000)
    or queued.max.messages.kbytes (64 MiB) and retries only after a fixed 1 s backoff,
    so with the defaults any moment where Python drains slower than the broker serves
    adds idle seconds that are the client's, not the broker's (measured: 1M x 100 B over
    6 partitions took 3.4-4.1 s with the defaults, 0.7-0.8 s with these)."""
    errors = ErrorTally()
    consumer = assigned_consumer(args, {"queued.min.messages": 10000000, "queued.max.messages.kbytes": 2097151})
    partitions = [TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)]
    deadline = time.monotonic() + args.timeout
    received = 0
    value_bytes = 0
    first_at = None
    passes = 1
    pass_target = args.expect
    broker_started = broker_cpu_seconds(args.broker_pid)
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    last_at = started
    consumer.assign(partitions)
    last_progress = time.monotonic()
    while True:
        if received >= pass_target:
            # --min-seconds: read the topic again from offset 0 until the phase is long enough.
            if time.perf_counter() - started >= args.min_seconds:
                break
            consumer.assign(partitions)
            passes += 1
            pass_target += args.expect
        now = time.monotonic()
        if now >= deadline or now - last_progress > args.stall_timeout:
            break
        # consume() returns only once num_messages arrived or the timeout expired: asking
        # for exactly what is left keeps the last call from idling until its timeout.
        batch = consumer.consume(num_messages=min(10000, pass_target - received), timeout=0.5)
        if not batch:
            continue
        received_before = received
        for msg in batch:
            err = msg.error()
            if err is not None:
                errors.add(err)
                continue
            received += 1
            value_bytes += len(msg.value())
        if received == received_before:
            continue
        last_at = time.perf_counter()
        last_progress = time.monotonic()
        if first_at is None:
            first_at = last_at
    cpu_used = cpu_seconds() - cpu_started
    broker_used = cpu_delta(broker_started, broker_cpu_seconds(args.broker_pid))
    positions = consumer.position([TopicPartition(args.topic, p) for p in range(args.partitions)])
    consumer.close()
    result = {
        "brokerCpu": broker_used,
        "passes": passes,
        "records": received,
        "bytes": value_bytes,
        "seconds": last_at - started,
        "firstRecordSeconds": None if first_at is None else first_at - started,
        "clientCpuSeconds": cpu_used,
        "positionSum": sum(max(0, tp.offset) for tp in positions),
        "timedOut": received < pass_target,
    }
    result.update(errors.as_dict())
    if received < pass_target or errors.count > 0:
        raise PhaseError("received %d of %d records (%d errors)" % (received, pass_target, errors.count), result)
    return result


class LatencyReceiver(threading.Thread):
    """Polls the latency topic in a background thread and records, for each measured
    record, monotonic receive time minus the send time carried in its value."""

    def __init__(self, consumer, expect_measured, expect_warmup, deadline):
        super().__init__(daemon=True)
        self.consumer = consumer
        self.expect_measured = expect_measured
        self.expect_warmup = expect_warmup
        self.deadline = deadline
        self.latencies_ns = []
        self.warmup_seen = 0
        self.errors = ErrorTally()
        self.warmed_up = threading.Event()
        self.stop_requested = threading.Event()

    def run(self):
        # poll(), not consume(n): consume() waits for n records or its timeout, which
        # would add up to that timeout to every latency.
        while not self.stop_requested.is_set() and time.monotonic() < self.deadline:
            msg = self.consumer.poll(0.05)
            now = time.monotonic_ns()
            if msg is None:
                continue
            if msg.error() is not None:
                self.errors.add(msg.error())
                continue
            kind, sent_ns = LATENCY_HEADER.unpack_from(msg.value())
            if kind == KIND_MEASURED:
                self.latencies_ns.append(now - sent_ns)
                if len(self.latencies_ns) >= self.expect_measured:
                    return
            else:
                self.warmup_seen += 1
                if self.warmup_seen >= self.expect_warmup:
                    self.warmed_up.set()


def phase_latency(args):
    """End-to-end latency at a low, paced rate: --count records at --rate records/s, each
    stamped with time.monotonic_ns() just before produce(); a consumer thread in the same
    process (same clock) that is already polling records the receive time. The producer
    uses linger.ms 0 so the figure is client send + broker append/ack + fetch wake-up +
    delivery, not batching delay. Warm-up records (one per partition, several rounds)
    are sent first and waited for, so connection set-up and the first fetch offsets are
    not measured.

    Phase "small" is the same with batch.num.messages 1: every record is its own Produce
    request, and the consumer's fetch long-polls for it. With --broker-pid, the broker's
    CPU over the paced interval (first measured send to last receipt) divided by the
    records sent is the broker's cost of one small produce plus the fetch work it wakes."""
    deadline = time.monotonic() + args.timeout
    errors = ErrorTally()
    conf = common_config(args)
    conf.update({
        "acks": args.acks,
        "enable.idempotence": False,
        "compression.type": "none",
        "linger.ms": 0,
        "message.timeout.ms": int(args.timeout * 1000),
        "delivery.report.only.error": True,
        "on_delivery": lambda err, _msg: errors.add(err) if err is not None else None,
    })
    if args.phase == "small":
        # One record per Produce request: never two records in one batch.
        conf["batch.num.messages"] = 1
    producer = Producer(conf)
    producer.list_topics(topic=args.topic, timeout=10)
    consumer = assigned_consumer(args)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    # --warmup-seconds: that long of paced records first (not measured), so the broker's
    # code for this request pattern is compiled and its caches are warm when the clock starts.
    paced_warmup = int(args.rate * args.warmup_seconds)
    warmup = args.partitions * 5 + paced_warmup
    receiver = LatencyReceiver(consumer, args.count, warmup, deadline)
    receiver.start()
    padding = b"\0" * max(0, args.size - LATENCY_HEADER.size)
    for i in range(args.partitions * 5):
        producer.produce(args.topic, LATENCY_HEADER.pack(KIND_WARMUP, time.monotonic_ns()) + padding, partition=i % args.partitions)
    producer.flush(max(0.0, deadline - time.monotonic()))
    warmup_started = time.monotonic()
    for i in range(paced_warmup):
        pause = warmup_started + i / args.rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        producer.produce(args.topic, LATENCY_HEADER.pack(KIND_WARMUP, time.monotonic_ns()) + padding, partition=i % args.partitions)
        producer.poll(0)
    producer.flush(max(0.0, deadline - time.monotonic()))
    if not receiver.warmed_up.wait(max(0.0, deadline - time.monotonic())):
        receiver.stop_requested.set()
        receiver.join(1.0)
        consumer.close()
        raise PhaseError("warm-up records not received (%d of %d)" % (receiver.warmup_seen, warmup))

    interval = 1.0 / args.rate
    sent = 0
    broker_started = broker_cpu_seconds(args.broker_pid)
    cpu_started = cpu_seconds()
    started = time.monotonic()
    while sent < args.count and time.monotonic() < deadline:
        due = started + sent * interval
        pause = due - time.monotonic()
        # Paced by sleeping, never by spinning: a spinning client would take a core from
        # the broker it measures. When late, records go out back to back until on time.
        if pause > 0:
            time.sleep(pause)
        producer.produce(args.topic, LATENCY_HEADER.pack(KIND_MEASURED, time.monotonic_ns()) + padding)
        sent += 1
        producer.poll(0)
    send_seconds = time.monotonic() - started
    flush_until_stalled(producer, deadline, args.stall_timeout)
    receiver.join(max(0.0, min(deadline - time.monotonic(), args.stall_timeout)))
    broker_used = cpu_delta(broker_started, broker_cpu_seconds(args.broker_pid))
    window_seconds = time.monotonic() - started
    client_used = cpu_seconds() - cpu_started
    receiver.stop_requested.set()
    receiver.join(2.0)
    consumer.close()

    values = sorted(receiver.latencies_ns)
    ms = lambda ns: None if ns is None else ns / 1e6
    result = {
        "sent": sent,
        "samples": len(values),
        "targetRate": args.rate,
        "achievedRate": sent / send_seconds if send_seconds > 0 else None,
        "p50Ms": ms(percentile(values, 50)),
        "p99Ms": ms(percentile(values, 99)),
        "maxMs": ms(values[-1] if values else None),
        "meanMs": ms(sum(values) / len(values) if values else None),
        "timedOut": len(values) < args.count,
        "seconds": window_seconds,
        "brokerCpu": broker_used,
        "clientCpuSeconds": client_used,
    }
    result.update(errors.as_dict())
    result["errors"] += receiver.errors.count
    result["errorSamples"] += receiver.errors.samples
    if len(values) < args.count or result["errors"] > 0:
        raise PhaseError("latency: %d of %d records received (%d errors)" % (len(values), args.count, result["errors"]), result)
    return result


def recv_exactly(sock, n):
    """n bytes from sock (None when it closed first)."""
    chunks = []
    while n > 0:
        chunk = sock.recv(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock):
    head = recv_exactly(sock, 4)
    return None if head is None else recv_exactly(sock, struct.unpack(">i", head)[0])


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


def phase_echo_floor(args):
    """The small-request case against bench/echo-floor-server.ts instead of a broker:
    the same pacing (sleep, never spin), the same record size and count, one "produce"
    frame per record on one connection (its 63-byte answer read by a thread) and a
    long-polling "fetch" connection read by another thread, which stamps receipt like the
    latency receiver. --broker-pid is the server's pid: its CPU over the paced interval
    divided by the records is the floor under the broker's CPU per small request."""
    host, port = args.bootstrap.rsplit(":", 1)
    host = host.strip("[]")
    produce_sock = socket.create_connection((host, int(port)), timeout=args.timeout)
    fetch_sock = socket.create_connection((host, int(port)), timeout=args.timeout)
    for s in (produce_sock, fetch_sock):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body_size = max(LATENCY_HEADER.size, args.size)
    padding = b"\0" * (body_size - LATENCY_HEADER.size)
    latencies_ns = []
    acks = [0]

    def read_acks():
        while acks[0] < args.count:
            if recv_frame(produce_sock) is None:
                return
            acks[0] += 1

    def fetch_loop():
        while len(latencies_ns) < args.count:
            fetch_sock.sendall(frame(b"F"))
            got = recv_frame(fetch_sock)
            now = time.monotonic_ns()
            if got is None:
                return
            for off in range(0, len(got), body_size):
                latencies_ns.append(now - LATENCY_HEADER.unpack_from(got, off)[1])

    threads = [threading.Thread(target=read_acks, daemon=True), threading.Thread(target=fetch_loop, daemon=True)]
    for t in threads:
        t.start()
    interval = 1.0 / args.rate
    sent = 0
    broker_started = broker_cpu_seconds(args.broker_pid)
    cpu_started = cpu_seconds()
    started = time.monotonic()
    deadline = started + args.timeout
    while sent < args.count and time.monotonic() < deadline:
        pause = started + sent * interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        produce_sock.sendall(frame(b"P" + LATENCY_HEADER.pack(KIND_MEASURED, time.monotonic_ns()) + padding))
        sent += 1
    send_seconds = time.monotonic() - started
    for t in threads:
        t.join(max(0.0, min(deadline - time.monotonic(), args.stall_timeout)))
    broker_used = cpu_delta(broker_started, broker_cpu_seconds(args.broker_pid))
    window_seconds = time.monotonic() - started
    client_used = cpu_seconds() - cpu_started
    produce_sock.close()
    fetch_sock.close()
    values = sorted(latencies_ns)
    ms = lambda ns: None if ns is None else ns / 1e6
    result = {
        "sent": sent,
        "samples": len(values),
        "targetRate": args.rate,
        "achievedRate": sent / send_seconds if send_seconds > 0 else None,
        "p50Ms": ms(percentile(values, 50)),
        "p99Ms": ms(percentile(values, 99)),
        "maxMs": ms(values[-1] if values else None),
        "meanMs": ms(sum(values) / len(values) if values else None),
        "timedOut": len(values) < args.count or acks[0] < sent,
        "seconds": window_seconds,
        "brokerCpu": broker_used,
        "clientCpuSeconds": client_used,
    }
    if len(values) < args.count or acks[0] < sent:
        raise PhaseError("echo floor: %d of %d records fetched, %d acknowledged" % (len(values), args.count, acks[0]), result)
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("phase", choices=["create-topic", "delete-topic", "produce", "consume", "latency", "small", "echo-floor"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--replication-factor", type=int, default=1, help="create-topic: replicas per partition")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--acks", choices=["0", "1", "all", "-1"], default="1")
    parser.add_argument("--linger-ms", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds the phase may take")
    parser.add_argument("--broker-pid", type=int, default=0, help="report this process's CPU seconds over the measured interval")
    parser.add_argument("--min-seconds", type=float, default=0.0, help="produce/consume: run at least this long")
    parser.add_argument("--warmup-seconds", type=float, default=0.0, help="latency/small: paced, unmeasured records first")
    parser.add_argument("--config", action="append", default=[], help="create-topic: a topic config key=value (repeatable)")
    parser.add_argument("--stall-timeout", type=float, default=30.0,
                        help="give up once no record was acknowledged/received for this long")
    args = parser.parse_args(argv)
    if args.phase in ("latency", "small", "echo-floor") and args.size < LATENCY_HEADER.size:
        parser.error("latency records need --size >= %d" % LATENCY_HEADER.size)
    return args


PHASES = {
    "create-topic": phase_create_topic,
    "delete-topic": phase_delete_topic,
    "produce": phase_produce,
    "consume": phase_consume,
    "latency": phase_latency,
    # The small-request case: the latency phase with one record per Produce request.
    "small": phase_latency,
    # Its floor: the same pacing against a bare Node TCP server (bench/echo-floor-server.ts).
    "echo-floor": phase_echo_floor,
}


def main(argv):
    args = parse_args(argv)
    out = {"phase": args.phase, "librdkafka": libversion()[0]}
    try:
        check_loopback(args.bootstrap)
        out.update(PHASES[args.phase](args))
        out["ok"] = True
    except PhaseError as exc:
        out.update(exc.partial)
        out.update({"ok": False, "error": str(exc)})
    except (KafkaException, RuntimeError, ValueError, OSError) as exc:
        out.update({"ok": False, "error": "%s: %s" % (type(exc).__name__, exc)})
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
