// natsbench: the NATS JetStream side of bench/cluster-bench.ts (issue 14), with the
// maintained Go client (Debian's golang-github-nats-io-go-nats-dev). One phase per run,
// one JSON object on stdout:
//
//	produce  -servers U -stream S -replicas R -count N -size B -min-seconds T
//	         creates stream S (subject S.>, file storage, R replicas) if missing, then
//	         publishes N records asynchronously (at most 4096 unacknowledged, as a Kafka
//	         producer keeps batches in flight) and waits for every ack; repeats rounds of
//	         N until T seconds passed. Reports records, bytes, seconds.
//	consume  -servers U -stream S -expect N -min-seconds T
//	         an ordered push consumer from the first message; reads the stream end to end
//	         (again from the start until T seconds passed). Reports records, bytes, seconds.
//	latency  -servers U -stream S -count N -rate R -size B
//	         a push consumer already running, then N records at R/s, each published with
//	         its send time (ns, monotonic within this process) and acknowledged; receipt
//	         time minus send time, nearest-rank p50/p99.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

type result struct {
	OK      bool    `json:"ok"`
	Phase   string  `json:"phase"`
	Error   string  `json:"error,omitempty"`
	Records int64   `json:"records"`
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
	Rounds  int     `json:"rounds"`
	P50Ms   float64 `json:"p50Ms,omitempty"`
	P99Ms   float64 `json:"p99Ms,omitempty"`
	MaxMs   float64 `json:"maxMs,omitempty"`
}

func emit(r result) {
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	if !r.OK {
		os.Exit(1)
	}
}

// publish waits (up to 60 s) while the client holds its maximum of unacknowledged
// messages, as a Kafka producer blocks when its buffer is full.
func publish(js nats.JetStreamContext, subject string, data []byte) (nats.PubAckFuture, error) {
	return js.PublishAsync(subject, data, nats.StallWait(60*time.Second))
}

func main() {
	phase := os.Args[1]
	fs := flag.NewFlagSet(phase, flag.ExitOnError)
	servers := fs.String("servers", nats.DefaultURL, "comma-separated server URLs")
	stream := fs.String("stream", "BENCH", "stream name (subjects <name>.>)")
	replicas := fs.Int("replicas", 3, "stream replicas")
	count := fs.Int("count", 100000, "records per round")
	expect := fs.Int("expect", 0, "records in the stream (consume)")
	size := fs.Int("size", 1024, "record bytes")
	minSeconds := fs.Float64("min-seconds", 5, "run at least this long")
	rate := fs.Float64("rate", 1000, "records per second (latency)")
	_ = fs.Parse(os.Args[2:])
	res := result{Phase: phase}

	nc, err := nats.Connect(*servers, nats.Timeout(10*time.Second))
	if err != nil {
		res.Error = err.Error()
		emit(res)
	}
	defer nc.Close()
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(4096))
	if err != nil {
		res.Error = err.Error()
		emit(res)
	}
	subject := *stream + ".data"

	switch phase {
	case "produce":
		if _, err := js.StreamInfo(*stream); err != nil {
			_, err = js.AddStream(&nats.StreamConfig{Name: *stream, Subjects: []string{*stream + ".>"}, Storage: nats.FileStorage, Replicas: *replicas})
			if err != nil {
				res.Error = "add stream: " + err.Error()
				emit(res)
			}
		}
		payload := make([]byte, *size)
		start := time.Now()
		for {
			futures := make([]nats.PubAckFuture, 0, *count)
			for i := 0; i < *count; i++ {
				f, err := publish(js, subject, payload)
				if err != nil {
					res.Error = "publish: " + err.Error()
					emit(res)
				}
				futures = append(futures, f)
			}
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(120 * time.Second):
				res.Error = "acks not complete after 120 s"
				emit(res)
			}
			for _, f := range futures {
				select {
				case <-f.Ok():
				case e := <-f.Err():
					res.Error = "ack: " + e.Error()
					emit(res)
				}
			}
			res.Records += int64(*count)
			res.Rounds++
			if time.Since(start).Seconds() >= *minSeconds {
				break
			}
		}
		res.Seconds = time.Since(start).Seconds()
		res.Bytes = res.Records * int64(*size)
	case "consume":
		start := time.Now()
		for {
			var got int64
			done := make(chan struct{})
			sub, err := js.Subscribe(subject, func(m *nats.Msg) {
				atomic.AddInt64(&res.Bytes, int64(len(m.Data)))
				if atomic.AddInt64(&got, 1) == int64(*expect) {
					close(done)
				}
			}, nats.OrderedConsumer(), nats.DeliverAll())
			if err != nil {
				res.Error = "subscribe: " + err.Error()
				emit(res)
			}
			select {
			case <-done:
			case <-time.After(120 * time.Second):
				res.Error = fmt.Sprintf("read %d of %d in 120 s", atomic.LoadInt64(&got), *expect)
				emit(res)
			}
			_ = sub.Unsubscribe()
			res.Records += got
			res.Rounds++
			if time.Since(start).Seconds() >= *minSeconds {
				break
			}
		}
		res.Seconds = time.Since(start).Seconds()
	case "latency":
		base := time.Now()
		lat := make([]float64, 0, *count)
		received := make(chan float64, *count)
		sub, err := js.Subscribe(*stream+".lat", func(m *nats.Msg) {
			sent := int64(binary.BigEndian.Uint64(m.Data[:8]))
			received <- float64(time.Since(base).Nanoseconds()-sent) / 1e6
		}, nats.OrderedConsumer(), nats.DeliverNew())
		if err != nil {
			res.Error = "subscribe: " + err.Error()
			emit(res)
		}
		defer sub.Unsubscribe()
		payload := make([]byte, *size)
		interval := time.Duration(float64(time.Second) / *rate)
		start := time.Now()
		for i := 0; i < *count; i++ {
			next := start.Add(time.Duration(i) * interval)
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
			binary.BigEndian.PutUint64(payload[:8], uint64(time.Since(base).Nanoseconds()))
			if _, err := publish(js, *stream+".lat", append([]byte(nil), payload...)); err != nil {
				res.Error = "publish: " + err.Error()
				emit(res)
			}
		}
		for len(lat) < *count {
			select {
			case ms := <-received:
				lat = append(lat, ms)
			case <-time.After(30 * time.Second):
				res.Error = fmt.Sprintf("received %d of %d", len(lat), *count)
				emit(res)
			}
		}
		sort.Float64s(lat)
		rank := func(p float64) float64 { return lat[int(math.Ceil(p*float64(len(lat))))-1] } // nearest rank
		res.Records = int64(len(lat))
		res.P50Ms, res.P99Ms, res.MaxMs = rank(0.5), rank(0.99), lat[len(lat)-1]
		res.Seconds = time.Since(start).Seconds()
	default:
		res.Error = "unknown phase " + phase
		emit(res)
	}
	res.OK = true
	emit(res)
}
