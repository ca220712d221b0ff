package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShardsMergeToSingleRun runs the same selection as one sweep and as
// shards 0/3, 1/3 and 2/3 (the tasks listed in another order, which must not
// matter), merges the shards, and compares: the same rows, apart from
// datetime and wall time.
func TestShardsMergeToSingleRun(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	whole, shards := t.TempDir(), t.TempDir()
	runCLI(t, append([]string{"-out", whole}, cliArgs...)...)
	reordered := append([]string(nil), cliArgs...)
	reordered[6] = "dot,logical_or,elementwise_add"
	var files []string
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		runCLI(t, append([]string{"-out", shards, "-shard", s}, reordered...)...)
		sh, _ := parseShard(s)
		files = append(files, resultsPath(shards, sh))
	}
	var sizes []int
	for _, f := range files {
		sizes = append(sizes, len(readRows(t, f)))
	}
	if sizes[0]+sizes[1]+sizes[2] != 12 || slices.Contains(sizes, 0) {
		t.Fatalf("three shards of 12 experiments hold %v rows", sizes)
	}
	merged := t.TempDir()
	msg := runCLI(t, append([]string{"merge", "-out", merged}, append(files, files[0])...)...) // one file twice: its rows are exact duplicates
	if !strings.Contains(msg, "merged 12 rows") || !strings.Contains(msg, fmt.Sprintf("%d exact duplicates dropped", sizes[0])) {
		t.Fatalf("merge said %q", msg)
	}
	got, want := readRows(t, filepath.Join(merged, "results.csv")), readRows(t, filepath.Join(whole, "results.csv"))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("merged shards differ from a single run:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Merging two of the three shards reports the third's experiments as missing.
	partial := t.TempDir()
	msg = runCLI(t, append([]string{"merge", "-out", partial, files[0], files[1]}, cliArgs[5:]...)...)
	if !strings.Contains(msg, fmt.Sprintf("%d selected experiments are missing", sizes[2])) {
		t.Fatalf("merge of two shards said %q", msg)
	}
}

// tortureArgs select a longer run than cliArgs (18 experiments), so that a
// subprocess can be interrupted many times before it finishes.
var tortureArgs = []string{"-quick", "-grid-steps", "30", "-long-steps", "60",
	"-tasks", "elementwise_add,logical_or,dot", "-datasets", "many_hot,one_hot", "-networks", "dense-1-linear,multiply_simple,dense-1-tanh"}

// TestResumeTorture runs the study as a subprocess, kills it with SIGKILL
// at six random moments, resuming it each time with the same command, then
// lets it finish; the file must hold exactly the rows of an uninterrupted
// run: none lost, none duplicated, none torn.
func TestResumeTorture(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	if testing.Short() {
		t.Skip("runs subprocesses for several seconds")
	}
	whole, tortured := t.TempDir(), t.TempDir()
	start := time.Now()
	runCLI(t, append([]string{"-out", whole}, tortureArgs...)...)
	full := time.Since(start)
	want := readRows(t, filepath.Join(whole, "results.csv"))

	r := newRNG(uint64(time.Now().UnixNano())) // random kill times; the outcome must not depend on them
	const kills = 6
	for attempt := 0; ; attempt++ {
		cmd := command(append([]string{"-out", tortured}, tortureArgs...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if attempt < kills {
			// Somewhere in the first quarter of what a whole run takes: late
			// enough to have saved some rows, early enough to leave work.
			time.Sleep(30*time.Millisecond + time.Duration(r.float64()*float64(full)/4))
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			continue
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("the last run failed: %v: %s", err, stderr.String())
		}
		break
	}
	got := readRows(t, filepath.Join(tortured, "results.csv"))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after %d kills the rows differ from an uninterrupted run:\n%s\n---\n%s", kills, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestShardAndMergeErrors checks the bad input of sharding and merging: a
// malformed -shard, merging files of different protocols, a read-only
// output folder. Each is one line on stderr, exit status 2, and no results
// file is modified.
func TestShardAndMergeErrors(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	runCLI(t, "-out", a, "-quick", "-grid-steps", "5", "-long-steps", "0", "-tasks", "dot", "-datasets", "one_hot", "-networks", "multiply_simple")
	runCLI(t, "-out", b, "-quick", "-grid-steps", "6", "-long-steps", "0", "-tasks", "dot", "-datasets", "one_hot", "-networks", "multiply_simple")
	fileA, fileB := filepath.Join(a, "results.csv"), filepath.Join(b, "results.csv")
	before, _ := os.ReadFile(fileA)
	readOnly := "/proc" // a folder nobody can create files in, even root
	if os.Getuid() != 0 {
		readOnly = filepath.Join(dir, "ro")
		os.Mkdir(readOnly, 0o555)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-shard", "3/3"}, `-shard "3/3": want i/n with 0 <= i < n`},
		{[]string{"-shard", "a/b"}, `-shard "a/b": want i/n`},
		{[]string{"-shard", "1/0"}, `-shard "1/0": want i/n`},
		{[]string{"-shard", "-1/2"}, `-shard "-1/2": want i/n`},
		{[]string{"merge", "-out", a, fileB}, "come from different protocols (grid=5 there, grid=6 here)"},
		{[]string{"merge", "-out", filepath.Join(dir, "c"), fileA, fileB}, "come from different protocols (grid=5 there, grid=6 here)"},
		{[]string{"merge", "-out", a}, "merge needs the results files"},
		{[]string{"merge", "-out", a, filepath.Join(dir, "nonexistent.csv")}, "cannot read"},
		{[]string{"-out", readOnly, "-tasks", "dot"}, "cannot"},
		{[]string{"-out", a, "-quick", "-tasks", "dot"}, "holds results of another protocol"},
		{[]string{"-out", a, "-quick", "-grid-steps", "50", "-long-steps", "0", "-seeds", "2", "-tasks", "dot"}, "holds results of another protocol (grid=5 there, grid=50 here)"},
	}
	for _, c := range cases {
		expectUsageError(t, c.args, c.want)
	}
	if after, _ := os.ReadFile(fileA); !bytes.Equal(before, after) {
		t.Error("a refused command modified a results file")
	}
	if _, err := os.Stat(filepath.Join(dir, "c", "results.csv")); err == nil {
		t.Error("a refused merge created its output")
	}
}

// TestProtocolRoundTrip checks parseProtocol reads back what String writes,
// and refuses what String would not write.
func TestProtocolRoundTrip(t *testing.T) {
	for _, p := range []Protocol{paperProtocol(), quickProtocol(), tinyProtocol()} {
		q, err := parseProtocol(p.String())
		if err != nil || q.String() != p.String() {
			t.Fatalf("round trip of %s: %v, %s", p, err, q)
		}
	}
	s := paperProtocol().String()
	for _, bad := range []string{"", "reasonops-0" + s[len(protocolVersion):], s + ";extra=1",
		strings.Replace(s, "grid=1000", "grid=x", 1), strings.Replace(s, ";long=30000", "", 1)} {
		if _, err := parseProtocol(bad); err == nil {
			t.Errorf("parseProtocol accepted %q", bad)
		}
	}
}

// TestStableIndexIgnoresFlags checks that an experiment's shard does not
// depend on the selection it came from.
func TestStableIndexIgnoresFlags(t *testing.T) {
	p := paperProtocol()
	full, _ := newPlan(p, Selection{})
	narrow, _ := newPlan(p, Selection{Tasks: []string{"logical_xor", "dot"}, Networks: []string{"multiply", "dense-1-relu"}})
	index := map[string]uint64{}
	seen := map[uint64]bool{}
	for _, e := range full.Experiments {
		if seen[e.Index()] {
			t.Fatalf("index %d given twice", e.Index())
		}
		seen[e.Index()] = true
		index[e.Key()] = e.Index()
	}
	for _, e := range narrow.Experiments {
		if index[e.Key()] != e.Index() {
			t.Fatalf("%s: index %d in a narrow selection, %d in the full one", e.Key(), e.Index(), index[e.Key()])
		}
	}
	total, seenShard := 0, map[string]int{}
	for i := 0; i < 4; i++ {
		sh, _ := newPlan(p, Selection{Shard: Shard{I: i, N: 4}})
		total += len(sh.Experiments)
		for _, e := range sh.Experiments {
			if prev, ok := seenShard[e.Key()]; ok {
				t.Fatalf("%s in shards %d and %d", e.Key(), prev, i)
			}
			seenShard[e.Key()] = i
		}
		if n := len(sh.Experiments); n < paperGridSize()/4-30 || n > paperGridSize()/4+30 {
			t.Errorf("shard %d/4 holds %d of %d experiments", i, n, paperGridSize())
		}
	}
	if total != paperGridSize() {
		t.Fatalf("four shards hold %d experiments, want %d", total, paperGridSize())
	}
}

// FuzzReadResults feeds the results-file reader arbitrary bytes: it must
// never panic, and a file it accepts must round-trip: written back out and
// read again, it gives the same rows.
func FuzzReadResults(f *testing.F) {
	row := Row{Task: "dot", Dataset: "random", NetworkType: "dense", NetworkDepth: 1, NetworkActivation: "linear",
		AccuracyPct: "99.0%", Accuracy: 0.99, Loss: 0.01, LR: 0.001, GlobalStep: 1000, Datetime: "2026-11-26 10:00:00",
		Network: "dense-1-linear", Seed: 1, Chosen: "grid", Error: "panic: \"quoted\", with comma\nand newline",
		Protocol: paperProtocol().String()}
	good := append(encodeRow(resultsHeader), encodeRow(row.fields())...)
	f.Add(good)
	f.Add(good[:len(good)-7])
	f.Add([]byte{})
	f.Add([]byte("task,dataset\n1,2\n"))
	f.Add(append(good, "dot,random,dense,x\n"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, torn, err := readResults(data)
		if err != nil {
			return
		}
		if torn > len(data) {
			t.Fatalf("torn %d > %d bytes", torn, len(data))
		}
		var again []byte
		if len(data) > torn {
			again = encodeRow(resultsHeader)
		}
		for _, r := range rows {
			again = append(again, encodeRow(r.fields())...)
		}
		rows2, torn2, err := readResults(again)
		if err != nil || torn2 != 0 || len(rows2) != len(rows) {
			t.Fatalf("re-encoded file: %v, torn %d, %d rows of %d", err, torn2, len(rows2), len(rows))
		}
		for i := range rows {
			if !rows[i].sameResult(rows2[i]) || rows[i].Datetime != rows2[i].Datetime {
				t.Fatalf("row %d changed in a round trip: %v vs %v", i, rows[i].fields(), rows2[i].fields())
			}
		}
	})
}

// TestAddSeedsToFinishedFolder: a folder holding seed 1 takes seeds 2 and 3
// under the same protocol (the everyday case); the run skips what is there,
// and shards of different seeds merge into one file.
func TestAddSeedsToFinishedFolder(t *testing.T) {
	dir := t.TempDir()
	base := []string{"-quick", "-grid-steps", "5", "-long-steps", "0", "-tasks", "dot,logical_and", "-datasets", "many_hot", "-networks", "multiply_simple", "-workers", "1"}
	out := filepath.Join(dir, "study")
	runCLI(t, append(base, "-out", out)...)
	msg := runCLI(t, append(base, "-out", out, "-seeds", "3")...)
	if !strings.Contains(msg, "6 experiments (2 already in") || !strings.Contains(msg, "(4 run now, 2 already there)") {
		t.Errorf("adding seeds 2 and 3 to a folder of seed 1: %s", msg)
	}
	rows := readRows(t, filepath.Join(out, "results.csv"))
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 6", len(rows))
	}
	// The same experiments as shards, seed 1 in one folder and seeds 2-3 in
	// another, merged: the same rows.
	shards := filepath.Join(dir, "shards")
	runCLI(t, append(base, "-out", shards, "-shard", "0/2")...)
	runCLI(t, append(base, "-out", shards, "-shard", "1/2")...)
	runCLI(t, append(base, "-out", filepath.Join(dir, "more"), "-seed", "2", "-seeds", "2")...)
	merged := filepath.Join(dir, "merged")
	msg = runCLI(t, append(base, "merge", "-out", merged, filepath.Join(shards, "results-shard-0-of-2.csv"),
		filepath.Join(shards, "results-shard-1-of-2.csv"), filepath.Join(dir, "more", "results.csv"))...)
	if strings.Contains(msg, "missing") {
		t.Errorf("merge of seeds 1-3 says something is missing: %s", msg)
	}
	if got := readRows(t, filepath.Join(merged, "results.csv")); strings.Join(got, "\n") != strings.Join(rows, "\n") {
		t.Errorf("merged shards of seeds 1-3 differ from the folder that grew seed by seed:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(rows, "\n"))
	}
}
