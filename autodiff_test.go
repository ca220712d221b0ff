package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// Gradient checking (STYLE.md point 10). The checked output out is reduced
// to a scalar with random weights, L = Σ w_i·out_i summed in float64, so
// that a swapped or misplaced gradient changes L's derivative (a plain mean
// would send one gradient to every element and hide it). Each element of
// each checked node is perturbed by ±h in turn and restored exactly; the
// central difference (L(x+h) - L(x-h))/2h must match the tape's gradient.
const (
	gradStep    = 1e-3 // h: large enough that float32 rounding of L stays small against h
	gradRelTol  = 1e-2 // relative tolerance on |numeric - analytic|
	gradAbsTol  = 1e-3 // absolute floor, for gradients near zero
	kinkMargin  = 0.02 // pre-activations of relu and selu must be at least this far from 0
	maxGradDraw = 200  // attempts at drawing inputs away from the kinks
)

// gradMismatch describes one element whose numeric and analytic gradients differ.
type gradMismatch struct {
	node, index       int
	numeric, analytic float64
}

// checkGradients compares the tape's gradients of L = Σ weights_i·out_i with
// respect to every element of every node in wrt against central differences,
// and returns the mismatches. tape must record gradients and reach out from wrt.
func checkGradients(tape *Tape, out *Node, wrt []*Node, weights []float64) []gradMismatch {
	loss := func() float64 {
		tape.Forward()
		var s float64
		for i, v := range out.Value.Data {
			s += weights[i] * float64(v)
		}
		return s
	}
	// Analytic: seed dL/dout = weights and walk the tape backwards.
	tape.ZeroGrads()
	tape.Forward()
	for i := range out.Grad.Data {
		out.Grad.Data[i] = float32(weights[i])
	}
	tape.backwardOps()
	analytic := make([][]float32, len(wrt))
	for n, node := range wrt {
		analytic[n] = append([]float32(nil), node.Grad.Data...)
	}
	var bad []gradMismatch
	for n, node := range wrt {
		for i := range node.Value.Data {
			saved := node.Value.Data[i]
			node.Value.Data[i] = saved + gradStep
			plus := loss()
			node.Value.Data[i] = saved - gradStep
			minus := loss()
			node.Value.Data[i] = saved
			numeric := (plus - minus) / (2 * gradStep)
			an := float64(analytic[n][i])
			// written as !(within) so that a NaN on either side is a mismatch
			if !(math.Abs(numeric-an) <= gradRelTol*math.Max(math.Abs(numeric), math.Abs(an))+gradAbsTol) {
				bad = append(bad, gradMismatch{n, i, numeric, an})
			}
		}
	}
	return bad
}

// reportMismatches fails the test with the first few mismatches, if any.
func reportMismatches(t *testing.T, name string, bad []gradMismatch, checked int) {
	t.Helper()
	if len(bad) == 0 {
		return
	}
	var b strings.Builder
	for i, m := range bad[:min(len(bad), 4)] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "node %d element %d: numeric %.6g, analytic %.6g", m.node, m.index, m.numeric, m.analytic)
	}
	t.Fatalf("%s: %d of %d gradient elements wrong: %s", name, len(bad), checked, b.String())
}

// awayFromKinks reports whether every relu and selu op on the tape, and
// every dense op with one of them, has all its pre-activations at least
// kinkMargin from 0, where their derivatives jump and a central difference
// straddling the jump would be meaningless. A dense op keeps no
// pre-activation, so it is recomputed here as x·W + b.
func awayFromKinks(tape *Tape) bool {
	tape.Forward()
	for _, op := range tape.ops {
		var pre *Tensor
		switch op.name {
		case "relu", "selu":
			pre = op.inputs[0].Value
		case "dense_relu", "dense_selu":
			x, w, b := op.inputs[0].Value, op.inputs[1].Value, op.inputs[2].Value
			pre = newTensor(x.Rows, w.Cols)
			matMulNaive(pre, x, w, false)
			addBias(pre, pre, b)
		default:
			continue
		}
		for _, v := range pre.Data {
			if math.Abs(float64(v)) < kinkMargin {
				return false
			}
		}
	}
	return true
}

// fill sets every element of t uniform in [lo, hi).
func fill(r *rng, t *Tensor, lo, hi float32) {
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*r.float32()
	}
}

// randomWeights returns n weights uniform in [-1, 1).
func randomWeights(r *rng, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 2*r.float64() - 1
	}
	return w
}

// countElements returns the total number of elements of nodes.
func countElements(nodes []*Node) int {
	n := 0
	for _, x := range nodes {
		n += len(x.Value.Data)
	}
	return n
}

// TestOpGradients checks every op's backward against central differences,
// each op alone on small awkward shapes, for every input that has a gradient.
func TestOpGradients(t *testing.T) {
	type build func(tp *Tape, r *rng) (out *Node, wrt []*Node)
	param := func(r *rng, rows, cols int) *Node {
		p := newParam(rows, cols)
		fill(r, p.Value, -1, 1)
		return p
	}
	cases := map[string]build{
		"matmul": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, w := param(r, 3, 5), param(r, 5, 4)
			return tp.MatMul(x, w), []*Node{x, w}
		},
		"matmul with data input": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, w := tp.Input(3, 5), param(r, 5, 4)
			fill(r, x.Value, -1, 1)
			return tp.MatMul(x, w), []*Node{w}
		},
		"add_bias": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, b := param(r, 3, 4), param(r, 1, 4)
			return tp.AddBias(x, b), []*Node{x, b}
		},
		"add": func(tp *Tape, r *rng) (*Node, []*Node) {
			a, b := param(r, 2, 3), param(r, 2, 3)
			return tp.Add(a, b), []*Node{a, b}
		},
		"mul": func(tp *Tape, r *rng) (*Node, []*Node) {
			a, b := param(r, 2, 3), param(r, 2, 3)
			return tp.Mul(a, b), []*Node{a, b}
		},
		"mul of a node by itself": func(tp *Tape, r *rng) (*Node, []*Node) {
			a := param(r, 2, 3)
			return tp.Mul(a, a), []*Node{a}
		},
		"concat": func(tp *Tape, r *rng) (*Node, []*Node) {
			a, b := param(r, 3, 2), param(r, 3, 5)
			return tp.Concat(a, b), []*Node{a, b}
		},
		"mse": func(tp *Tape, r *rng) (*Node, []*Node) {
			p, l := param(r, 3, 4), param(r, 3, 4)
			return tp.MSE(p, l), []*Node{p, l}
		},
	}
	for act, name := range activationNames {
		cases[name] = func(tp *Tape, r *rng) (*Node, []*Node) {
			x := param(r, 3, 7)
			fill(r, x.Value, -3, 3)
			return tp.Activate(activation(act), x), []*Node{x}
		}
		cases["dense_"+name] = func(tp *Tape, r *rng) (*Node, []*Node) {
			x, w, b := param(r, 3, 5), param(r, 5, 4), param(r, 1, 4)
			return tp.Dense(x, w, b, activation(act)), []*Node{x, w, b}
		}
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			r := newRNG(hashString(name))
			var tp *Tape
			var out *Node
			var wrt []*Node
			for try := 0; ; try++ {
				tp = newTape()
				out, wrt = b(tp, &r)
				if awayFromKinks(tp) {
					break
				}
				if try == maxGradDraw {
					t.Fatal("could not draw inputs away from the kinks")
				}
			}
			bad := checkGradients(tp, out, wrt, randomWeights(&r, len(out.Value.Data)))
			reportMismatches(t, name, bad, countElements(wrt))
		})
	}
}

// TestGradientCheckCatchesWrongBackward records an op whose backward is
// deliberately wrong (tanh's forward with sigmoid's derivative, y(1-y)
// instead of 1-y²) and checks that the checker reports it: a checker that
// cannot fail proves nothing.
func TestGradientCheckCatchesWrongBackward(t *testing.T) {
	r := newRNG(5)
	tp := newTape()
	x := newParam(4, 3)
	fill(&r, x.Value, -2, 2)
	out := tp.node(4, 3, x)
	tp.record("tanh-with-wrong-backward", out,
		func() { activationForward(actTanh, out.Value, x.Value) },
		func() { activationBackward(actSigmoid, x.Grad, out.Grad, out.Value, true) },
		x)
	bad := checkGradients(tp, out, []*Node{x}, randomWeights(&r, 12))
	if len(bad) < 6 {
		t.Fatalf("the checker passed a wrong backward (%d of 12 elements flagged)", len(bad))
	}
}

// TestBackwardAccumulatesAndZeroGradsClears checks the tape's gradient
// discipline: Backward adds into gradients rather than overwriting them, so a
// second Backward without ZeroGrads piles onto the first (the intermediate
// dL/dy, already 4 from the first pass, is added to again, so dL/dw grows
// by 2·16 to 48); ZeroGrads clears intermediate gradients at once and marks
// the parameters', so that the next step's gradient is 16 again, and a
// parameter the loss does not reach reads 0 after Backward.
func TestBackwardAccumulatesAndZeroGradsClears(t *testing.T) {
	tp := newTape()
	w := newParam(1, 1)
	w.Value.Data[0] = 3
	x := tp.Input(1, 1)
	x.Value.Data[0] = 2
	y := tp.MatMul(x, w) // y = 2w
	loss := tp.MSE(y, x) // (2w - 2)²
	tp.ZeroGrads()       // d/dw = 2·(2w-2)·2 = 16 at w = 3
	tp.Forward()
	tp.Backward(loss)
	if g := w.Grad.Data[0]; g != 16 {
		t.Fatalf("dL/dw = %v, want 16", g)
	}
	tp.Forward()
	tp.Backward(loss)
	if g := w.Grad.Data[0]; g != 48 {
		t.Fatalf("after a second Backward dL/dw = %v, want 48 (accumulated)", g)
	}
	unused := newParam(1, 1) // on the tape, but the loss does not depend on it
	tp.MatMul(x, unused)
	unused.Grad.Data[0] = 7
	tp.ZeroGrads()
	if y.Grad.Data[0] != 0 {
		t.Fatalf("ZeroGrads left dL/dy = %v", y.Grad.Data[0])
	}
	tp.Forward()
	tp.Backward(loss)
	if g := w.Grad.Data[0]; g != 16 {
		t.Fatalf("after ZeroGrads dL/dw = %v, want 16", g)
	}
	if g := unused.Grad.Data[0]; g != 0 {
		t.Fatalf("after ZeroGrads and Backward an unreached gradient = %v, want 0", g)
	}
}

// TestDenseOpMatchesItsParts checks that one Dense op computes, bit for
// bit (within rounding where plain Go fuses multiply-adds, GOAMD64=v3),
// what MatMul, AddBias and Activate recorded in turn compute: outputs,
// and every gradient over three steps of ZeroGrads and Backward with a
// residual skip (so that the layer's input gradient is added into), for
// every activation, on shapes either side of a vector, at batch 32.
func TestDenseOpMatchesItsParts(t *testing.T) {
	for act, name := range activationNames {
		for _, width := range []int{1, 15, 16, 33, 256} {
			var outs [2][]float32
			var grads [2][][]float32
			for fused := 0; fused < 2; fused++ {
				r := newRNG(3, uint64(act), uint64(width))
				tp := newTape()
				x := newParam(32, width) // a parameter, so dx flows
				fill(&r, x.Value, -2, 2)
				w, b := newParam(width, width), newParam(1, width)
				fill(&r, w.Value, -1, 1)
				fill(&r, b.Value, -1, 1)
				var y *Node
				if fused == 1 {
					y = tp.Dense(x, w, b, activation(act))
				} else {
					y = tp.Activate(activation(act), tp.AddBias(tp.MatMul(x, w), b))
				}
				label := tp.Input(32, width)
				fill(&r, label.Value, -1, 1)
				loss := tp.MSE(tp.Add(x, y), label)
				for step := 0; step < 3; step++ {
					tp.ZeroGrads()
					tp.Forward()
					tp.Backward(loss)
					outs[fused] = append(outs[fused], y.Value.Data...)
					for _, p := range []*Node{x, w, b} {
						grads[fused] = append(grads[fused], append([]float32(nil), p.Grad.Data...))
						fill(&r, p.Value, -1, 1) // the next step sees new values
					}
				}
			}
			if i := firstDifferenceUnlessFused(outs[0], outs[1]); i >= 0 {
				t.Fatalf("%s width %d: output %d = %v, parts give %v", name, width, i, outs[1][i], outs[0][i])
			}
			for g := range grads[0] {
				if i := firstDifferenceUnlessFused(grads[0][g], grads[1][g]); i >= 0 {
					t.Fatalf("%s width %d: gradient %d element %d = %v, parts give %v", name, width, g, i, grads[1][g][i], grads[0][g][i])
				}
			}
		}
	}
}

// TestEvalTapeHasNoGradients checks that an evaluation tape computes the
// same forward values as a gradient tape over shared parameters, without
// allocating gradients for its op outputs.
func TestEvalTapeHasNoGradients(t *testing.T) {
	r := newRNG(9)
	w := newParam(3, 2)
	fill(&r, w.Value, -1, 1)
	outs := make([]*Node, 2)
	for i, tp := range []*Tape{newTape(), newEvalTape()} {
		x := tp.Input(2, 3)
		x.Value.Data = []float32{1, 2, 3, 4, 5, 6}
		outs[i] = tp.Activate(actTanh, tp.MatMul(x, w))
		tp.Forward()
	}
	if !equalData(outs[0].Value.Data, outs[1].Value.Data) {
		t.Fatal("eval tape computed different values")
	}
	if outs[1].Grad != nil {
		t.Fatal("eval tape allocated a gradient")
	}
}

// Example_denseForwardBackward walks one linear dense layer, 2 inputs to 2
// outputs, through a forward pass, an MSE loss against zero labels, and the
// backward pass. With x the identity, y = W + b; the loss is the mean of
// y² = (0.36 + 0.64 + 4.41 + 0.04)/4; dL/dy = 2y/4 = y/2; dW = xᵀ·dy = dy;
// db is the column sums of dy.
func Example_denseForwardBackward() {
	tp := newTape()
	layer := newDense(2, 2, actLinear)
	copy(layer.W.Value.Data, []float32{0.5, -1, 2, 0})
	copy(layer.B.Value.Data, []float32{0.1, 0.2})
	x := tp.Input(2, 2)
	copy(x.Value.Data, []float32{1, 0, 0, 1})
	label := tp.Input(2, 2) // zeros
	y := layer.Record(tp, x)
	loss := tp.MSE(y, label)

	tp.ZeroGrads()
	tp.Forward()
	tp.Backward(loss)
	fmt.Printf("y    = %.4f\n", y.Value.Data)
	fmt.Printf("loss = %.4f\n", loss.Value.Data[0])
	fmt.Printf("dW   = %.4f\n", layer.W.Grad.Data)
	fmt.Printf("db   = %.4f\n", layer.B.Grad.Data)
	// Output:
	// y    = [0.6000 -0.8000 2.1000 0.2000]
	// loss = 1.3625
	// dW   = [0.3000 -0.4000 1.0500 0.1000]
	// db   = [1.3500 -0.3000]
}
