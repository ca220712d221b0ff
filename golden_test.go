package main

// The golden test: a few short experiments, run through the real sweep, must
// give exactly the rows committed in testdata/golden-rows.csv. It guards
// refactorings that must change no number. Rewrite the file, after a change
// that is meant to change numbers (and bumps protocolVersion), with
//
//	go test -run TestGoldenRows -update-golden

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden-rows.csv from this build's results")

// goldenPath is the committed file of expected rows.
const goldenPath = "testdata/golden-rows.csv"

// goldenProtocol is the golden experiments' protocol, written out in full so
// that a change to the paper's protocol shows here as a change: the paper's
// grid of nine learning rates with 20-step trials, a 40-step long run,
// checks every 10 steps on 256 records (confirmed on all 300), and 300
// validation and test records.
func goldenProtocol() Protocol {
	return Protocol{
		GridSteps: 20, LongSteps: 40,
		LRs:       []float64{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100},
		BatchSize: 32, CheckEvery: 10, CheckSize: 256,
		Target: 0.99, Decrease: 0.7, MaxDecreases: 2,
		TrainSize: 1000000, ValSize: 300, TestSize: 300,
	}
}

// goldenExperiments are the golden test's experiments: every dataset, every
// network type, the five activations between them (selu's initialiser
// differs), sparse and dense inputs, grid trials and long runs chosen, runs
// stopped early by a confirmed check, and a second seed of one experiment.
var goldenExperiments = []struct {
	task, dataset, network string
	seed                   uint64
}{
	{"dot", "many_hot", "multiply_simple", 1},
	{"dot", "many_hot", "multiply_simple", 2},
	{"logical_xor", "one_hot", "dense-1-linear", 1},
	{"reduce_sum", "random", "dense-2-relu", 1},
	{"elementwise_mul", "random_pos", "multiply", 1},
	{"logical_and", "many_hot", "dense_residual-2-tanh", 1},
	{"one_hot_sum", "one_hot", "dense-1-selu", 1},
	{"reduce_max", "random_pos", "dense-1-sigmoid", 1},
}

// plainGoFusesMultiplyAdd reports whether this build's plain-Go float32 code
// rounds a·b + c once (a fused multiply-add, as amd64 with GOAMD64=v3 and
// arm64 do) instead of twice. With fmaOperands, a·b + c is -2⁻²⁶ exactly,
// but 0 when a·b is first rounded to float32 (to 1).
func plainGoFusesMultiplyAdd() bool {
	return goldenMulAdd(fmaOperands[0], fmaOperands[1], fmaOperands[2]) != 0
}

// fmaOperands is a variable, so that the compiler cannot fold the probe.
var fmaOperands = [3]float32{1 + 0x1p-13, 1 - 0x1p-13, -1}

// goldenMulAdd returns a·b + c as plain Go computes it; not inlined, so that
// its operands sit in registers as in a kernel, where the compiler fuses.
//
//go:noinline
func goldenMulAdd(a, b, c float32) float32 { return a*b + c }

// TestGoldenRows runs goldenExperiments through sweep and compares every
// cell of their rows, apart from datetime and wall_seconds, with the
// committed ones. It runs only where float32 arithmetic is the same on
// every machine: the plain-Go kernels, without fused multiply-adds.
func TestGoldenRows(t *testing.T) {
	t.Parallel() // a slow test: runs beside the others once the sequential ones are done
	if kernels.name != "plain Go" {
		t.Skipf("kernels %q: the golden rows are plain Go's (run the default build)", kernels.name)
	}
	if plainGoFusesMultiplyAdd() {
		t.Skip("this build fuses multiply-adds in plain Go (GOAMD64=v3 or a CPU architecture that always fuses): its rows differ in the last bits")
	}
	plan := Plan{Protocol: goldenProtocol()}
	for _, g := range goldenExperiments {
		task, err1 := lookupTask(g.task)
		dataset, err2 := parseDataset(g.dataset)
		network, err3 := findNetwork(g.network)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		plan.Experiments = append(plan.Experiments, Experiment{Task: task, Dataset: dataset, Network: network, Seed: g.seed})
	}
	path := filepath.Join(t.TempDir(), "results.csv")
	if err := sweep(context.Background(), plan, path, len(plan.Experiments), nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readResults(data)
	if err != nil {
		t.Fatal(err)
	}
	got := [][]string{resultsHeader}
	for _, e := range plan.Experiments { // in goldenExperiments' order, not the order they finished
		i := slices.IndexFunc(rows, func(r Row) bool { return r.Key() == e.Key() })
		if i < 0 {
			t.Fatalf("no row for %s", e.Key())
		}
		r := rows[i]
		r.Datetime, r.WallSeconds = "", 0
		got = append(got, r.fields())
	}

	if *updateGolden {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.WriteAll(got)
		if err := os.WriteFile(goldenPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d rows)", goldenPath, len(got)-1)
		return
	}
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatalf("%v (make it with go test -run TestGoldenRows -update-golden)", err)
	}
	defer f.Close()
	want, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", goldenPath, err)
	}
	if len(want) != len(got) {
		t.Fatalf("%s has %d lines, the experiments give %d", goldenPath, len(want), len(got))
	}
	if strings.Join(want[0], ",") != strings.Join(got[0], ",") {
		t.Errorf("%s: header\n%v\nwant\n%v", goldenPath, got[0], want[0])
	}
	for j, name := range want[0] { // the committed columns, found by name
		k := slices.Index(got[0], name)
		if k < 0 {
			continue // reported with the header
		}
		for i := 1; i < len(got); i++ {
			if got[i][k] != want[i][j] {
				t.Errorf("%s: %s = %q, want %q", plan.Experiments[i-1].Key(), name, got[i][k], want[i][j])
			}
		}
	}
}
