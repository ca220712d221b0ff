package main

import (
	"fmt"
	"testing"
)

// vec returns a W-wide vector holding vals at its start and zeros after.
func vec(vals ...float32) []float32 {
	v := make([]float32, busWidth)
	copy(v, vals)
	return v
}

// oneHotVec returns the W-wide one-hot vector of i.
func oneHotVec(i int) []float32 {
	v := make([]float32, busWidth)
	v[i] = 1
	return v
}

// TestTaskLabelsByHand checks every task's label on records worked by hand.
func TestTaskLabelsByHand(t *testing.T) {
	a := vec(1, 0, -0.5, 0.25, 0.7)
	b := vec(2, 0, 0.5, 0.2505, 0)
	cases := []struct {
		task string
		a, b []float32
		want []float32 // the label's first elements; the rest must be zero
	}{
		{"reduce_sum", a, b, []float32{1 - 0.5 + 0.25 + 0.7 + 2 + 0.5 + 0.2505}},
		{"reduce_max", a, b, []float32{2}},
		{"reduce_max", vec(-3, -2), vec(-1, -5), []float32{0}}, // the zeros beyond count too
		{"dot", a, b, []float32{2 - 0.25 + 0.25*0.2505}},
		{"elementwise_mul", a, b, []float32{2, 0, -0.25, 0.25 * 0.2505, 0}},
		{"elementwise_add", a, b, []float32{3, 0, 0, 0.25 + 0.2505, 0.7}},
		{"equality", a, b, append([]float32{0, 1, 0, 0, 0}, ones(busWidth-5)...)},
		{"almost_equal", a, b, append([]float32{0, 1, 0, 1, 0}, ones(busWidth-5)...)},
		{"logical_and", a, b, []float32{1, 0, 1, 1, 0}},
		{"logical_or", a, b, []float32{1, 0, 1, 1, 1}},
		{"logical_xor", a, b, []float32{0, 0, 0, 0, 1}},
		{"one_hot_sum", oneHotVec(3), oneHotVec(4), oneHotLabel(7)},
		{"one_hot_sum", oneHotVec(127), oneHotVec(127), oneHotLabel(254)},
		{"one_hot_sum", oneHotVec(0), oneHotVec(0), oneHotLabel(0)},
	}
	for _, c := range cases {
		task, err := lookupTask(c.task)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, task.Width)
		for i := range out {
			out[i] = -99 // a label must write every element
		}
		task.label(c.a, c.b, out)
		want := make([]float32, task.Width)
		copy(want, c.want)
		for i := range want {
			if diff := out[i] - want[i]; diff > 1e-6 || diff < -1e-6 {
				t.Errorf("%s: element %d = %v, want %v", c.task, i, out[i], want[i])
				break
			}
		}
	}
	concat, _ := lookupTask("concat")
	out := make([]float32, concat.Width)
	concat.label(a, b, out)
	if out[0] != 1 || out[busWidth] != 2 || out[busWidth+3] != 0.2505 {
		t.Errorf("concat = %v ... %v", out[:5], out[busWidth:busWidth+5])
	}
}

// ones returns n ones.
func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// oneHotLabel returns one_hot_sum's label for the sum s: 255 wide.
func oneHotLabel(s int) []float32 {
	v := make([]float32, 2*busWidth-1)
	v[s] = 1
	return v
}

// TestTaskWidthsAndExclusions checks the output widths of the paper's tasks
// (one_hot_sum is 255) and which (task, dataset) pairs their exclusions
// leave out (how many: TestPaperFacts).
func TestTaskWidthsAndExclusions(t *testing.T) {
	want := map[string]int{"reduce_sum": 1, "reduce_max": 1, "concat": 256, "dot": 1, "elementwise_mul": 128,
		"one_hot_sum": 255, "elementwise_add": 128, "equality": 128, "almost_equal": 128,
		"logical_and": 128, "logical_or": 128, "logical_xor": 128}
	if len(paperTasks) != len(want) {
		t.Fatalf("%d tasks, want %d", len(paperTasks), len(want))
	}
	var out []string
	for _, task := range paperTasks {
		if task.Width != want[task.Name] {
			t.Errorf("%s: width %d, want %d", task.Name, task.Width, want[task.Name])
		}
		for _, d := range datasetNames {
			if exclusionReason(task.Name, d) != "" {
				out = append(out, task.Name+"/"+d)
			}
		}
	}
	for _, pair := range []string{"reduce_sum/one_hot", "one_hot_sum/random", "logical_xor/random_pos", "equality/random"} {
		if !contains(out, pair) {
			t.Errorf("%s not excluded", pair)
		}
	}
	for _, pair := range []string{"logical_xor/many_hot", "reduce_max/random", "one_hot_sum/one_hot", "equality/one_hot"} {
		if contains(out, pair) {
			t.Errorf("%s excluded", pair)
		}
	}
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestLabelBatch checks the batch form agrees with the per-record labels.
func TestLabelBatch(t *testing.T) {
	r := newRNG(1)
	a, b := newTensor(5, busWidth), newTensor(5, busWidth)
	for i := 0; i < 5; i++ {
		drawRecord(random, &r, a.Row(i), b.Row(i))
	}
	for _, task := range tasks {
		labels := newTensor(5, task.Width)
		task.labelBatch(labels, a, b)
		one := make([]float32, task.Width)
		task.label(a.Row(3), b.Row(3), one)
		if fmt.Sprint(one) != fmt.Sprint(labels.Row(3)) {
			t.Errorf("%s: batch row 3 differs from the record's label", task.Name)
		}
	}
}
