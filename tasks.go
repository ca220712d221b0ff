// tasks.go: the tables of tasks, each entry a task's name, output width,
// label function and the datasets on which it is left out of the analysis:
// the article's twelve (paperTasks) and any beyond them (extraTasks; none
// yet). A new task is one entry; grid.go registers both tables.
//
// The tasks are the 2018 study's (Octavian, "Incorporating element-wise
// multiplication can out-perform dense layers in neural networks"): ten in
// the article plus reduce_max and almost_equal from its code. Labels are
// computed from a record's two input vectors a and b (W each):
//
//	reduce_sum       Σ a + Σ b                                      width 1
//	reduce_max       max over all 2W elements                       width 1
//	concat           [a | b]                                        width 2W = 256
//	dot              Σ a·b                                          width 1
//	elementwise_mul  a·b                                            width W
//	elementwise_add  a+b                                            width W
//	one_hot_sum      one-hot of argmax a + argmax b                 width 2W-1 = 255
//	equality         1 where a == b exactly, else 0                 width W
//	almost_equal     1 where |a - b| <= 0.001, else 0               width W
//	logical_and      1 where a != 0 and b != 0                      width W
//	logical_or       1 where a != 0 or b != 0                       width W
//	logical_xor      1 where exactly one of a, b is != 0            width W
//
// one_hot_sum is 255 wide, not the original's 128, so that every sum 0..254
// has a place (the original gave sums of 128 or more an all-zero label).
package main

import (
	"fmt"
	"math"
)

// Task is one operation the networks learn: its name, output width O,
// label, which writes the label (O) of the record (a, b) (W each) into out,
// and the datasets on which it is excluded from the analysis.
type Task struct {
	Name     string
	Width    int
	label    func(a, b, out []float32)
	excluded exclusion // the zero exclusion: analysed on every dataset
}

// exclusion leaves a task out of the analysis on some datasets, for a
// reason (PROTOCOL.md, "Tasks").
type exclusion struct {
	datasets []datasetKind
	reason   string
}

// The article's exclusions: 15 of its 48 (task, dataset) pairs are out,
// leaving 33.
var (
	constantOnOneHot = exclusion{[]datasetKind{oneHot}, "constant label (the sum is always 2, the max always 1)"}
	oneHotOnly       = exclusion{[]datasetKind{manyHot, random, randomPos}, "defined for one_hot inputs only"}
	constantOnReals  = exclusion{[]datasetKind{random, randomPos}, "label constant or almost constant on continuous inputs"}
)

// paperTasks are the article's twelve tasks, in the original code's order,
// with its exclusions.
var paperTasks = []Task{
	{"reduce_sum", 1, labelReduceSum, constantOnOneHot},
	{"reduce_max", 1, labelReduceMax, constantOnOneHot},
	{"concat", 2 * busWidth, labelConcat, exclusion{}},
	{"dot", 1, labelDot, exclusion{}},
	{"elementwise_mul", busWidth, labelElementwiseMul, exclusion{}},
	{"one_hot_sum", 2*busWidth - 1, labelOneHotSum, oneHotOnly},
	{"elementwise_add", busWidth, labelElementwiseAdd, exclusion{}},
	{"equality", busWidth, labelEquality, constantOnReals},
	{"almost_equal", busWidth, labelAlmostEqual, constantOnReals},
	{"logical_and", busWidth, labelLogicalAnd, constantOnReals},
	{"logical_or", busWidth, labelLogicalOr, constantOnReals},
	{"logical_xor", busWidth, labelLogicalXor, constantOnReals},
}

// extraTasks are tasks beyond the article's, run only when named (-tasks);
// none yet.
var extraTasks []Task

// excludedOn says why the task is left out of the analysis on dataset d,
// or returns "" if it is in.
func (t Task) excludedOn(d datasetKind) string {
	for _, x := range t.excluded.datasets {
		if x == d {
			return t.excluded.reason
		}
	}
	return ""
}

// labelBatch writes the labels (N,O) of the records in a and b (N,W each).
func (t Task) labelBatch(labels, a, b *Tensor) {
	if labels.Cols != t.Width || labels.Rows != a.Rows || a.Rows != b.Rows {
		panic(fmt.Sprintf("labelBatch %s: labels %s for inputs %s, %s", t.Name, labels.shape(), a.shape(), b.shape()))
	}
	for i := 0; i < a.Rows; i++ {
		t.label(a.Row(i), b.Row(i), labels.Row(i))
	}
}

// labelReduceSum: out[0] = Σ a + Σ b, summed in float64.
func labelReduceSum(a, b, out []float32) {
	var s float64
	for i := range a {
		s += float64(a[i]) + float64(b[i])
	}
	out[0] = float32(s)
}

// labelReduceMax: out[0] = the largest of the 2W elements.
func labelReduceMax(a, b, out []float32) {
	m := float32(math.Inf(-1))
	for i := range a {
		m = max(m, a[i], b[i])
	}
	out[0] = m
}

// labelConcat: out = [a | b].
func labelConcat(a, b, out []float32) {
	copy(out, a)
	copy(out[len(a):], b)
}

// labelDot: out[0] = Σ a·b, summed in float64.
func labelDot(a, b, out []float32) {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	out[0] = float32(s)
}

// labelElementwiseMul: out = a·b element by element.
func labelElementwiseMul(a, b, out []float32) {
	for i := range a {
		out[i] = a[i] * b[i]
	}
}

// labelElementwiseAdd: out = a + b element by element.
func labelElementwiseAdd(a, b, out []float32) {
	for i := range a {
		out[i] = a[i] + b[i]
	}
}

// labelOneHotSum: out is the one-hot (width 2W-1) of argmax a + argmax b,
// where argmax takes the first largest element, as tf.argmax does.
func labelOneHotSum(a, b, out []float32) {
	clear(out)
	out[argmax(a)+argmax(b)] = 1
}

// argmax returns the index of the first largest element of v.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// indicator returns 1 for true and 0 for false.
func indicator(c bool) float32 {
	if c {
		return 1
	}
	return 0
}

// labelEquality: out[i] = 1 where a[i] == b[i] exactly.
func labelEquality(a, b, out []float32) {
	for i := range a {
		out[i] = indicator(a[i] == b[i])
	}
}

// almostEqualTolerance is almost_equal's threshold, as in the original code.
const almostEqualTolerance = 0.001

// labelAlmostEqual: out[i] = 1 where |a[i] - b[i]| <= 0.001.
func labelAlmostEqual(a, b, out []float32) {
	for i := range a {
		out[i] = indicator(math.Abs(float64(a[i]-b[i])) <= almostEqualTolerance)
	}
}

// labelLogicalAnd: out[i] = 1 where a[i] != 0 and b[i] != 0.
func labelLogicalAnd(a, b, out []float32) {
	for i := range a {
		out[i] = indicator(a[i] != 0 && b[i] != 0)
	}
}

// labelLogicalOr: out[i] = 1 where a[i] != 0 or b[i] != 0.
func labelLogicalOr(a, b, out []float32) {
	for i := range a {
		out[i] = indicator(a[i] != 0 || b[i] != 0)
	}
}

// labelLogicalXor: out[i] = 1 where exactly one of a[i], b[i] is != 0.
func labelLogicalXor(a, b, out []float32) {
	for i := range a {
		out[i] = indicator((a[i] != 0) != (b[i] != 0))
	}
}
