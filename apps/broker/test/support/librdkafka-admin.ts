/**
 * librdkafka's own AdminClient calls that the system python's confluent_kafka 1.7 binding
 * does not expose (it predates them) although the librdkafka 2.0.2 it runs on has them:
 * ListConsumerGroupOffsets (OffsetFetch) and DeleteConsumerGroupOffsets (OffsetDelete),
 * called through ctypes on the same librdkafka.so.1. So the requests on the wire are
 * librdkafka's, byte for byte.
 *
 * argv:
 *   commit <bootstrap> <group> <topic:partition:offset>...   simple (memberless) commit via confluent_kafka
 *     -> {"committed": [[topic, partition, offset, error|null], ...]}
 *   list <bootstrap> <group> [stable|any] [<topic:partition>...]   no partitions = all of the group's
 *   delete <bootstrap> <group> <topic:partition>...
 *     -> {"error": request-level error|null, "groups": [{"group", "error", "partitions": [{topic, partition, offset, error}]}]}
 * Partition errors are librdkafka's names (NO_ERROR, UNKNOWN_TOPIC_OR_PART, ...).
 */
export const RDKAFKA_ADMIN_SCRIPT = `
import sys, json, ctypes, ctypes.util
from confluent_kafka import Consumer, TopicPartition, libversion

class TP(ctypes.Structure):
    _fields_ = [('topic', ctypes.c_char_p), ('partition', ctypes.c_int32), ('offset', ctypes.c_int64),
                ('metadata', ctypes.c_void_p), ('metadata_size', ctypes.c_size_t), ('opaque', ctypes.c_void_p),
                ('err', ctypes.c_int), ('_private', ctypes.c_void_p)]

class TPList(ctypes.Structure):
    _fields_ = [('cnt', ctypes.c_int), ('size', ctypes.c_int), ('elems', ctypes.POINTER(TP))]

lib = ctypes.CDLL('librdkafka.so.1')
P = ctypes.c_void_p
def fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f

conf_new = fn('rd_kafka_conf_new', P)
conf_set = fn('rd_kafka_conf_set', ctypes.c_int, P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t)
kafka_new = fn('rd_kafka_new', P, ctypes.c_int, P, ctypes.c_char_p, ctypes.c_size_t)
kafka_destroy = fn('rd_kafka_destroy', None, P)
queue_new = fn('rd_kafka_queue_new', P, P)
queue_destroy = fn('rd_kafka_queue_destroy', None, P)
queue_poll = fn('rd_kafka_queue_poll', P, P, ctypes.c_int)
event_destroy = fn('rd_kafka_event_destroy', None, P)
event_error = fn('rd_kafka_event_error', ctypes.c_int, P)
event_error_string = fn('rd_kafka_event_error_string', ctypes.c_char_p, P)
options_new = fn('rd_kafka_AdminOptions_new', P, P, ctypes.c_int)
options_destroy = fn('rd_kafka_AdminOptions_destroy', None, P)
set_require_stable = fn('rd_kafka_AdminOptions_set_require_stable_offsets', P, P, ctypes.c_int)
tpl_new = fn('rd_kafka_topic_partition_list_new', ctypes.POINTER(TPList), ctypes.c_int)
tpl_add = fn('rd_kafka_topic_partition_list_add', ctypes.POINTER(TP), ctypes.POINTER(TPList), ctypes.c_char_p, ctypes.c_int32)
tpl_destroy = fn('rd_kafka_topic_partition_list_destroy', None, ctypes.POINTER(TPList))
err2str = fn('rd_kafka_err2name', ctypes.c_char_p, ctypes.c_int)
error_code = fn('rd_kafka_error_code', ctypes.c_int, P)
error_string = fn('rd_kafka_error_string', ctypes.c_char_p, P)
gr_error = fn('rd_kafka_group_result_error', P, P)
gr_name = fn('rd_kafka_group_result_name', ctypes.c_char_p, P)
gr_partitions = fn('rd_kafka_group_result_partitions', ctypes.POINTER(TPList), P)
lcgo_new = fn('rd_kafka_ListConsumerGroupOffsets_new', P, ctypes.c_char_p, ctypes.POINTER(TPList))
lcgo_destroy = fn('rd_kafka_ListConsumerGroupOffsets_destroy', None, P)
lcgo = fn('rd_kafka_ListConsumerGroupOffsets', None, P, ctypes.POINTER(P), ctypes.c_size_t, P, P)
lcgo_result = fn('rd_kafka_event_ListConsumerGroupOffsets_result', P, P)
lcgo_groups = fn('rd_kafka_ListConsumerGroupOffsets_result_groups', ctypes.POINTER(P), P, ctypes.POINTER(ctypes.c_size_t))
dcgo_new = fn('rd_kafka_DeleteConsumerGroupOffsets_new', P, ctypes.c_char_p, ctypes.POINTER(TPList))
dcgo_destroy = fn('rd_kafka_DeleteConsumerGroupOffsets_destroy', None, P)
dcgo = fn('rd_kafka_DeleteConsumerGroupOffsets', None, P, ctypes.POINTER(P), ctypes.c_size_t, P, P)
dcgo_result = fn('rd_kafka_event_DeleteConsumerGroupOffsets_result', P, P)
dcgo_groups = fn('rd_kafka_DeleteConsumerGroupOffsets_result_groups', ctypes.POINTER(P), P, ctypes.POINTER(ctypes.c_size_t))

def client(bs):
    errstr = ctypes.create_string_buffer(512)
    conf = conf_new()
    if conf_set(conf, b'bootstrap.servers', bs.encode(), errstr, 512) != 0:
        raise SystemExit(errstr.value.decode())
    rk = kafka_new(0, conf, errstr, 512)
    if not rk:
        raise SystemExit(errstr.value.decode())
    return rk

def tplist(pairs):
    if pairs is None:
        return None
    l = tpl_new(max(1, len(pairs)))
    for t, p in pairs:
        tpl_add(l, t.encode(), p)
    return l

def group_results(groups, n):
    out = []
    for i in range(n):
        g = groups[i]
        e = gr_error(g)
        parts = gr_partitions(g)
        ps = []
        if parts:
            for j in range(parts.contents.cnt):
                tp = parts.contents.elems[j]
                ps.append({'topic': tp.topic.decode(), 'partition': tp.partition, 'offset': tp.offset, 'error': err2str(tp.err).decode()})
        out.append({'group': gr_name(g).decode(), 'error': None if not e else error_string(e).decode(),
                    'partitions': sorted(ps, key=lambda x: (x['topic'], x['partition']))})
    return out

def admin_call(bs, make, call, result, groups_of, partitions, group, require_stable=False):
    rk = client(bs)
    q = queue_new(rk)
    opts = options_new(rk, 0)
    if require_stable:
        err = set_require_stable(opts, 1)
        if err:
            raise SystemExit(error_string(err).decode())
    l = tplist(partitions)
    req = make(group.encode(), l)
    arr = (P * 1)(req)
    call(rk, arr, 1, opts, q)
    ev = queue_poll(q, 30000)
    if not ev:
        raise SystemExit('no result within 30 s')
    out = {'error': None, 'groups': []}
    if event_error(ev) != 0:
        out['error'] = event_error_string(ev).decode()
    else:
        res = result(ev)
        n = ctypes.c_size_t(0)
        gs = groups_of(res, ctypes.byref(n))
        out['groups'] = group_results(gs, n.value)
    event_destroy(ev)
    if l:
        tpl_destroy(l)
    options_destroy(opts)
    queue_destroy(q)
    kafka_destroy(rk)
    return out

def parse_pairs(args):
    return [(a.rsplit(':', 1)[0], int(a.rsplit(':', 1)[1])) for a in args]

cmd, bs, group = sys.argv[1], sys.argv[2], sys.argv[3]
rest = sys.argv[4:]
if cmd == 'commit':
    # commit topic:partition:offset ... as a standalone consumer (no subscription)
    c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'enable.auto.commit': False})
    tps = [TopicPartition(a.split(':')[0], int(a.split(':')[1]), int(a.split(':')[2])) for a in rest]
    res = c.commit(offsets=tps, asynchronous=False)
    c.close()
    print(json.dumps({'committed': [[p.topic, p.partition, p.offset, None if p.error is None else str(p.error)] for p in res]}))
elif cmd == 'list':
    stable = len(rest) > 0 and rest[0] == 'stable'
    pairs = parse_pairs(rest[1:]) if len(rest) > 1 else None
    print(json.dumps(admin_call(bs, lcgo_new, lcgo, lcgo_result, lcgo_groups, pairs, group, stable)))
elif cmd == 'delete':
    print(json.dumps(admin_call(bs, dcgo_new, dcgo, dcgo_result, dcgo_groups, parse_pairs(rest), group)))
else:
    raise SystemExit('unknown command ' + cmd)
`;

export interface RdkafkaGroupResult {
  group: string;
  error: string | null;
  partitions: { topic: string; partition: number; offset: number; error: string }[];
}

export interface RdkafkaAdminResult {
  error: string | null;
  groups: RdkafkaGroupResult[];
}
