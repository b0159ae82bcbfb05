package main

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchChannels is how many channels each story is posted to in
// BenchmarkInstances: enough posts that posting, not polling, sets the pace.
const benchChannels = 8

// BenchmarkInstances measures end-to-end throughput, from the first item
// fetched to the last post recorded, of one and of two `briefbot run`
// processes sharing PostgreSQL (200 on-topic items from 20 sources, each
// story posted to 8 channels through a fake Discord that takes
// discordLatency per message), and reports two instances against one,
// measured in the same run. With two, it then kills the instance holding
// the pipeline lease with SIGKILL and reports how long the survivor takes
// to hold it.
func BenchmarkInstances(b *testing.B) {
	var one, two, takeover float64
	for range b.N {
		one, _ = benchFleet(b, 1)
		two, takeover = benchFleet(b, 2)
	}
	b.ReportMetric(one, "posts/s-1-instance")
	b.ReportMetric(two, "posts/s-2-instances")
	b.ReportMetric(two/one, "x-2-vs-1")
	b.ReportMetric(takeover, "s-pipeline-takeover")
}

// benchFleet runs one burst through n instances and returns posts per
// second; with n = 2 it also returns the pipeline lease's takeover time in
// seconds after its holder is killed.
func benchFleet(b *testing.B, n int) (postsPerSec, takeoverSec float64) {
	f := newFleet(b, n, benchChannels)
	f.publish(10)
	var ins []*instance
	for i := range n {
		ins = append(ins, f.start(fmt.Sprintf("i%d", i)))
	}
	p := f.waitSettled(5 * time.Minute)
	ctx := context.Background()
	var span float64
	if err := f.db.QueryRow(ctx, `SELECT extract(epoch FROM
		(SELECT max(ended_at) FROM deliveries WHERE state = 'sent') - (SELECT min(fetched) FROM items))::float8`).Scan(&span); err != nil {
		b.Fatal(err)
	}
	postsPerSec = float64(p.sent) / span
	b.Logf("%d instance(s): %d items, %d stories, %d posts in %.1fs from first fetch to last post", n, p.done, p.stories, p.sent, span)
	if n == 2 {
		victim, survivor := f.pipelineLeader(ctx, ins[0], ins[1])
		killed := time.Now()
		victim.kill(b)
		deadline := killed.Add(2 * time.Minute)
		for f.pipelineOwner(ctx) != survivor.cmd.Process.Pid {
			if time.Now().After(deadline) {
				b.Fatal("the survivor did not take the pipeline lease within 2 minutes")
			}
			time.Sleep(20 * time.Millisecond)
		}
		takeoverSec = time.Since(killed).Seconds()
		ins = []*instance{survivor}
	}
	for _, in := range ins {
		in.stop(b)
	}
	return postsPerSec, takeoverSec
}
