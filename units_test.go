package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// Tests of units.go: every new op and every unit against central
// differences (checkGradients, autodiff_test.go), the NMU's product where a
// factor is zero, float32 edge cases, the training hooks (Constrain,
// Regularizer, sparsityLambda), allocation-free steps, and a few outputs
// worked by hand.

// fillBands sets every element of t uniform in one of bands, each [lo, hi),
// picked at random: a way to draw inputs that keep clear of an op's kinks
// (0 for |x|, 1/2 for the sparsity regulariser, a clip's ceiling).
func fillBands(r *rng, t *Tensor, bands ...[2]float32) {
	for i := range t.Data {
		b := bands[r.intn(len(bands))]
		t.Data[i] = b[0] + (b[1]-b[0])*r.float32()
	}
}

// awayFromZero are bands of magnitude 0.2 to 1.5, both signs.
var awayFromZero = [][2]float32{{-1.5, -0.2}, {0.2, 1.5}}

// nudgeFromKinks moves every element of v closer than margin to one of
// kinks out to margin from it, on its own side.
func nudgeFromKinks(v []float32, margin float32, kinks ...float32) {
	for i, x := range v {
		for _, k := range kinks {
			if d := x - k; abs32(d) < margin {
				if d < 0 {
					v[i] = k - margin
				} else {
					v[i] = k + margin
				}
			}
		}
	}
}

// allFinite reports whether no element of the nodes' values and gradients
// is NaN or infinite.
func allFinite(nodes ...*Node) bool {
	for _, n := range nodes {
		for _, t := range []*Tensor{n.Value, n.Grad} {
			if t == nil {
				continue
			}
			for _, v := range t.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return false
				}
			}
		}
	}
	return true
}

// checkUnitGradients runs checkGradients on out with respect to wrt and
// also fails on a non-finite analytic gradient, which checkGradients's
// comparisons would let through (a NaN compares false with everything).
func checkUnitGradients(t *testing.T, name string, tp *Tape, out *Node, wrt []*Node, r *rng) {
	t.Helper()
	bad := checkGradients(tp, out, wrt, randomWeights(r, len(out.Value.Data)))
	reportMismatches(t, name, bad, countElements(wrt))
	if !allFinite(wrt...) {
		t.Fatalf("%s: a gradient is NaN or infinite", name)
	}
}

// unitParam returns a rows x cols parameter filled from bands.
func unitParam(r *rng, rows, cols int, bands ...[2]float32) *Node {
	p := newParam(rows, cols)
	fillBands(r, p.Value, bands...)
	return p
}

// TestUnitOpGradients checks the backward of every op of units.go against
// central differences, each op alone on small shapes, with inputs drawn
// clear of the op's kinks by more than the step h.
func TestUnitOpGradients(t *testing.T) {
	type build func(tp *Tape, r *rng) (out *Node, wrt []*Node)
	lambda := func(tp *Tape, v float32) *Node {
		l := tp.Input(1, 1)
		l.Value.Data[0] = v
		return l
	}
	cases := map[string]build{
		"nac_weight": func(tp *Tape, r *rng) (*Node, []*Node) {
			w, m := unitParam(r, 4, 3, [2]float32{-2, 2}), unitParam(r, 4, 3, [2]float32{-2, 2})
			return tp.NACWeight(w, m), []*Node{w, m}
		},
		"log_abs": func(tp *Tape, r *rng) (*Node, []*Node) {
			x := unitParam(r, 3, 5, awayFromZero...)
			return tp.LogAbs(x, 0.01), []*Node{x}
		},
		"log_max_abs": func(tp *Tape, r *rng) (*Node, []*Node) { // eps 0.1: both sides of the clip
			x := unitParam(r, 3, 6, [2]float32{-0.08, -0.01}, [2]float32{0.01, 0.08}, [2]float32{-1.5, -0.15}, [2]float32{0.15, 1.5})
			return tp.LogMaxAbs(x, 0.1), []*Node{x}
		},
		"exp_clip": func(tp *Tape, r *rng) (*Node, []*Node) { // ceiling 1: both sides of it
			z := unitParam(r, 3, 6, [2]float32{-2, 0.95}, [2]float32{1.05, 2})
			return tp.ExpClip(z, 1), []*Node{z}
		},
		"gate per record": func(tp *Tape, r *rng) (*Node, []*Node) {
			g, a, m := unitParam(r, 3, 4, [2]float32{0, 1}), unitParam(r, 3, 4, [2]float32{-2, 2}), unitParam(r, 3, 4, [2]float32{-2, 2})
			return tp.Gate(g, a, m), []*Node{g, a, m}
		},
		"gate broadcast": func(tp *Tape, r *rng) (*Node, []*Node) {
			g, a, m := unitParam(r, 1, 4, [2]float32{0, 1}), unitParam(r, 3, 4, [2]float32{-2, 2}), unitParam(r, 3, 4, [2]float32{-2, 2})
			return tp.Gate(g, a, m), []*Node{g, a, m}
		},
		"product": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, w := unitParam(r, 3, 5, [2]float32{-1.5, 1.5}), unitParam(r, 5, 4, [2]float32{-0.2, 1.2})
			return tp.Product(x, w), []*Node{x, w}
		},
		"product over 256 inputs": func(tp *Tape, r *rng) (*Node, []*Node) {
			// Factors within 5% of 1, so that the product neither vanishes nor explodes.
			x, w := unitParam(r, 2, 256, [2]float32{0.5, 1.5}), unitParam(r, 256, 2, [2]float32{0, 0.1})
			return tp.Product(x, w), []*Node{x, w}
		},
		"product with data input": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, w := tp.Input(3, 5), unitParam(r, 5, 4, [2]float32{0, 1})
			fill(r, x.Value, -1, 1)
			return tp.Product(x, w), []*Node{w}
		},
		"abs": func(tp *Tape, r *rng) (*Node, []*Node) {
			w := unitParam(r, 3, 4, awayFromZero...)
			return tp.Abs(w), []*Node{w}
		},
		"npu_log_magnitude": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, g := unitParam(r, 3, 5, awayFromZero...), unitParam(r, 1, 5, [2]float32{0.1, 0.9})
			return tp.NPULogMagnitude(x, g, npuEpsilon), []*Node{x, g}
		},
		"npu_phase": func(tp *Tape, r *rng) (*Node, []*Node) {
			x, g := unitParam(r, 3, 5, awayFromZero...), unitParam(r, 1, 5, [2]float32{0.1, 0.9})
			return tp.NPUPhase(x, g), []*Node{g}
		},
		"exp_cos": func(tp *Tape, r *rng) (*Node, []*Node) { // ceiling 1.5: both sides of it
			u, v := unitParam(r, 3, 4, [2]float32{-2, 1.45}, [2]float32{1.55, 2}), unitParam(r, 3, 4, [2]float32{-4, 4})
			return tp.ExpCos(u, v, 1.5), []*Node{u, v}
		},
		"sparsity nau": func(tp *Tape, r *rng) (*Node, []*Node) { // kinks at 0 and ±1/2
			w := unitParam(r, 4, 5, [2]float32{0.02, 0.48}, [2]float32{0.52, 1.4}, [2]float32{-0.48, -0.02}, [2]float32{-1.4, -0.52})
			return tp.Sparsity(w, lambda(tp, 3), sparsityNAU), []*Node{w}
		},
		"sparsity nmu": func(tp *Tape, r *rng) (*Node, []*Node) { // kink at 1/2
			w := unitParam(r, 4, 5, [2]float32{-0.3, 0.48}, [2]float32{0.52, 1.3})
			return tp.Sparsity(w, lambda(tp, 3), sparsityNMU), []*Node{w}
		},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			r := newRNG(hashString(name))
			tp := newTape()
			out, wrt := b(tp, &r)
			checkUnitGradients(t, name, tp, out, wrt, &r)
		})
	}
}

// TestUnitGradients checks every unit end to end against central
// differences: all its parameters and both inputs, at small widths (W = 3,
// H = 5, O = 4, batch 3), and its regulariser where it has one. Inputs are
// 0.2 to 1.5 in magnitude, clear of |x|'s kink; weights the sparsity term
// or |W_m| would meet at a kink are nudged off it.
func TestUnitGradients(t *testing.T) {
	for _, spec := range arithmeticUnits {
		t.Run(spec.Name, func(t *testing.T) {
			r := newRNG(hashString(spec.Name))
			u := spec.New(3, 5, 4)
			u.Init(r.next())
			switch u := u.(type) {
			case *NAU:
				nudgeFromKinks(u.W.Value.Data, 0.01, 0, -0.5, 0.5)
			case *NMU:
				nudgeFromKinks(u.W.Value.Data, 0.01, 0.5)
			case *NAUNMU:
				nudgeFromKinks(u.Sum.W.Value.Data, 0.01, 0, -0.5, 0.5)
				nudgeFromKinks(u.Product.W.Value.Data, 0.01, 0.5)
			case *INALU:
				nudgeFromKinks(u.MulHat.Value.Data, 0.01, 0)
			}
			a, b := unitParam(&r, 3, 3, awayFromZero...), unitParam(&r, 3, 3, awayFromZero...)
			tp := newTape()
			out := u.Record(tp, a, b)
			lambda := tp.Input(1, 1)
			lambda.Value.Data[0] = 2
			reg := u.Regularizer(tp, lambda)
			checkUnitGradients(t, spec.Name, tp, out, append(u.Params(), a, b), &r)
			if reg != nil {
				checkUnitGradients(t, spec.Name+" regularizer", tp, reg, u.Params(), &r)
			}
		})
	}
}

// TestNMUProductZeroFactor checks the product's backward where factors are
// exactly zero, the case a backward that divided the product by a factor
// would turn into 0/0. Record x = [2, 0, 3, -1] and two output columns:
//
//	column 0, w = [1, 1, 1/2, 0]: factors 2, 0, 2, 1; out = 0.
//	  Only the zero factor's inputs get a gradient, the product of the
//	  others, 2·2·1 = 4: dx[1] = w·4 = 4, dw[1,0] = (x[1] - 1)·4 = -4.
//	column 1, w = [0, 1, 0, 1/2]: factors 1, 0, 1, 0; two zeros, out = 0,
//	  and every gradient through it is 0.
//
// The same values must agree with central differences.
func TestNMUProductZeroFactor(t *testing.T) {
	tp := newTape()
	x, w := newParam(1, 4), newParam(4, 2)
	copy(x.Value.Data, []float32{2, 0, 3, -1})
	copy(w.Value.Data, []float32{1, 0, 1, 1, 0.5, 0, 0, 0.5}) // (4,2) row-major
	out := tp.Product(x, w)
	tp.ZeroGrads()
	tp.Forward()
	copy(out.Grad.Data, []float32{1, 1}) // dL/dout = 1 for both columns
	tp.backwardOps()
	if got := fmt.Sprint(out.Value.Data); got != "[0 0]" {
		t.Errorf("out = %s, want [0 0]", got)
	}
	if got := fmt.Sprint(x.Grad.Data); got != "[0 4 0 0]" {
		t.Errorf("dx = %s, want [0 4 0 0]", got)
	}
	if got := fmt.Sprint(w.Grad.Data); got != "[0 0 -4 0 0 0 0 0]" {
		t.Errorf("dw = %s, want [0 0 -4 0 0 0 0 0]", got)
	}
	r := newRNG(14)
	checkUnitGradients(t, "product with zero factors", tp, out, []*Node{x, w}, &r)
}

// TestNMUDividingBackwardFailsTheCheck records the product with the
// shortcut backward Π_{k≠i} f = out/f_i, and checks that checkUnitGradients
// rejects it at a zero factor (0/0 is NaN): the zero-factor test above can
// fail.
func TestNMUDividingBackwardFailsTheCheck(t *testing.T) {
	tp := newTape()
	x, w := newParam(1, 3), newParam(3, 1)
	copy(x.Value.Data, []float32{2, 0, 3})
	copy(w.Value.Data, []float32{1, 1, 1})
	out := tp.node(1, 1, x, w)
	tp.record("product-dividing", out,
		func() { productForward(out.Value, x.Value, w.Value) },
		func() {
			for i, xi := range x.Value.Data {
				f := w.Value.Data[i]*xi + 1 - w.Value.Data[i]
				others := out.Value.Data[0] / f
				x.Grad.Data[i] += out.Grad.Data[0] * w.Value.Data[i] * others
				w.Grad.Data[i] += out.Grad.Data[0] * (xi - 1) * others
			}
		}, x, w)
	r := newRNG(15)
	checkGradients(tp, out, []*Node{x, w}, randomWeights(&r, 1))
	if allFinite(x, w) {
		t.Fatal("the dividing backward gave finite gradients at a zero factor")
	}
}

// TestNMUProductWide checks the forward over 256 inputs, the study's width,
// against a float64 product, for factors near 1 (products of order 1) and
// for the weights' initial range U[1/4, 3/4] on random inputs, where most
// products fall below float32's smallest normal number.
func TestNMUProductWide(t *testing.T) {
	for _, c := range []struct {
		name          string
		xLo, xHi, wHi float32
	}{
		{"near 1", 0.5, 1.5, 0.1},
		{"initial range", -1, 1, 0.75},
	} {
		r := newRNG(hashString(c.name))
		x, w, out := newTensor(4, 256), newTensor(256, 6), newTensor(4, 6)
		fill(&r, x, c.xLo, c.xHi)
		fill(&r, w, c.wHi/3, c.wHi)
		productForward(out, x, w)
		for n := 0; n < 4; n++ {
			for j := 0; j < 6; j++ {
				want := 1.0
				for i := 0; i < 256; i++ {
					wij := float64(w.Data[i*6+j])
					want *= wij*float64(x.Data[n*256+i]) + 1 - wij
				}
				got := out.Data[n*6+j]
				if math.Abs(float64(got)-want) > 1e-4*math.Abs(want)+2*minNormal32 {
					t.Errorf("%s: out[%d,%d] = %g, want %g", c.name, n, j, got, want)
				}
			}
		}
	}
}

// TestUnitOpsStayFinite feeds every op float32's extremes (zeros of both
// signs, a subnormal, ±MaxFloat32) and gates outside [0, 1], and checks
// that forward and backward give no NaN or infinity where the true values
// are finite floats.
func TestUnitOpsStayFinite(t *testing.T) {
	const big = math.MaxFloat32
	negZero := float32(math.Copysign(0, -1))
	extremes := []float32{0, negZero, 1e-40, -1e-40, 1, -1, big, -big}
	input := func(v []float32) *Node {
		n := newParam(1, len(v))
		copy(n.Value.Data, v)
		return n
	}
	cases := map[string]func(tp *Tape) (out *Node, in []*Node){
		"nac_weight": func(tp *Tape) (*Node, []*Node) {
			w, m := input(extremes), input(extremes)
			return tp.NACWeight(w, m), []*Node{w, m}
		},
		"log_abs": func(tp *Tape) (*Node, []*Node) {
			x := input(extremes)
			return tp.LogAbs(x, nacEpsilon), []*Node{x}
		},
		"log_max_abs": func(tp *Tape) (*Node, []*Node) {
			x := input(extremes)
			return tp.LogMaxAbs(x, nacEpsilon), []*Node{x}
		},
		"exp_clip": func(tp *Tape) (*Node, []*Node) {
			z := input(extremes)
			return tp.ExpClip(z, nacExpCeiling), []*Node{z}
		},
		"gate": func(tp *Tape) (*Node, []*Node) {
			g := input([]float32{0, 1, 0.5, 0, 1, 0.5})
			a := input([]float32{-1e38, -1e38, -1e38, 3, 0, -2})
			m := input([]float32{1.6e38, 1.6e38, 1.6e38, 0, 5, 7})
			return tp.Gate(g, a, m), []*Node{g, a, m}
		},
		"npu ops": func(tp *Tape) (*Node, []*Node) {
			x := input(extremes)
			g := input([]float32{0, 1, 0.5, -0.3, 1.7, 1, 1, 0})
			return tp.Add(tp.NPULogMagnitude(x, g, npuEpsilon), tp.NPUPhase(x, g)), []*Node{x, g}
		},
		"exp_cos": func(tp *Tape) (*Node, []*Node) {
			u, v := input(extremes), input([]float32{big, -big, 0, 1e30, 3, -3, 1e-40, 7})
			return tp.ExpCos(u, v, nacExpCeiling), []*Node{u, v}
		},
		"product": func(tp *Tape) (*Node, []*Node) {
			x := input([]float32{0, negZero, 1e-40, 1e30, -1e30, 1, -1, 0})
			w := newParam(8, 3)
			// Columns: all in (a zero first, so no partial product
			// overflows), none in, and half of each input but -1e30, so
			// that the factor of -1 is 0 and the partial product before it
			// is 0.5^5·5e29.
			copy(w.Value.Data, []float32{
				1, 0, 0.5, 1, 0, 0.5, 1, 0, 0.5, 1, 0, 0.5,
				1, 0, 0, 1, 0, 0.5, 1, 0, 0.5, 1, 0, 0.5,
			})
			return tp.Product(x, w), []*Node{x, w}
		},
		"abs": func(tp *Tape) (*Node, []*Node) {
			w := input(extremes)
			return tp.Abs(w), []*Node{w}
		},
		"sparsity": func(tp *Tape) (*Node, []*Node) {
			w := input([]float32{0, negZero, 1e-40, 0.5, -0.5, 1e30, -1e30, 2})
			l := tp.Input(1, 1)
			l.Value.Data[0] = sparsityLambdaMax
			return tp.Add(tp.Sparsity(w, l, sparsityNAU), tp.Sparsity(w, l, sparsityNMU)), []*Node{w}
		},
	}
	for name, build := range cases {
		tp := newTape()
		out, in := build(tp)
		tp.ZeroGrads()
		tp.Forward()
		for i := range out.Grad.Data {
			out.Grad.Data[i] = 1
		}
		tp.backwardOps()
		if !allFinite(append(in, out)...) {
			t.Errorf("%s: NaN or infinity in out %v or the gradients", name, out.Value.Data)
		}
	}
}

// TestUnitsStayFinite runs every unit forward and backward at small widths
// on inputs with exact zeros and magnitudes up to 4 (the study's inputs and
// its 4x extrapolation range) and checks that outputs and gradients are
// finite.
func TestUnitsStayFinite(t *testing.T) {
	for _, spec := range arithmeticUnits {
		r := newRNG(hashString(spec.Name), 4)
		u := spec.New(4, 6, 3)
		u.Init(r.next())
		tp := newTape()
		a, b := newParam(5, 4), newParam(5, 4)
		fillBands(&r, a.Value, [2]float32{-4, 4}, [2]float32{0, 0})
		fillBands(&r, b.Value, [2]float32{-4, 4}, [2]float32{0, 0})
		out := u.Record(tp, a, b)
		tp.ZeroGrads()
		tp.Forward()
		fill(&r, out.Grad, -1, 1)
		tp.backwardOps()
		if !allFinite(append(u.Params(), a, b, out)...) {
			t.Errorf("%s: NaN or infinity in the output or a gradient", spec.Name)
		}
	}
}

// unitStep is one unit wired for training as train.go's model wires a
// network: a tape at batch N with inputs, labels, the MSE loss plus the
// unit's regulariser scaled by the 1x1 input lambda, and Adam.
type unitStep struct {
	unit              arithmeticUnit
	tape              *Tape
	a, b, label, lamb *Node // (N,W), (N,W), (N,O), (1,1)
	out, loss         *Node // (N,O), (1,1)
	opt               *Adam
}

// newUnitStep builds spec at widths bus, hidden, out for batches of batch
// records of data, with a fixed batch and labels loaded, Adam at lr, and λ
// at lambda.
func newUnitStep(spec unitSpec, bus, hidden, out, batch int, data datasetKind, lr float64, lambda float32) *unitStep {
	s := &unitStep{unit: spec.New(bus, hidden, out), tape: newTape()}
	s.unit.Init(1)
	s.a, s.b = s.tape.Input(batch, bus), s.tape.Input(batch, bus)
	s.label, s.lamb = s.tape.Input(batch, out), s.tape.Input(1, 1)
	s.lamb.Value.Data[0] = lambda
	s.out = s.unit.Record(s.tape, s.a, s.b)
	s.loss = s.tape.MSE(s.out, s.label)
	if reg := s.unit.Regularizer(s.tape, s.lamb); reg != nil {
		s.loss = s.tape.Add(s.loss, reg)
	}
	s.opt = newAdam(s.unit.Params(), lr)
	r := newRNG(2)
	for i := 0; i < batch; i++ {
		drawRecord(data, &r, s.a.Value.Row(i), s.b.Value.Row(i))
	}
	fill(&r, s.label.Value, -1, 1)
	return s
}

// gradients runs forward and backward, leaving the gradients in place.
func (s *unitStep) gradients() {
	s.tape.Forward()
	s.tape.ZeroGrads()
	s.tape.Backward(s.loss)
}

// step runs one training step as train.go's would for a unit: forward,
// backward, the Adam update, then Constrain.
func (s *unitStep) step() {
	s.gradients()
	s.opt.Step()
	s.unit.Constrain()
}

// constraintsHold reports whether the unit's parameters are in their
// ranges: NAU weights in [-1, 1], NMU weights in [0, 1], NPU gates in [0, 1].
func constraintsHold(u arithmeticUnit) bool {
	in := func(v []float32, lo, hi float32) bool {
		for _, x := range v {
			if x < lo || x > hi {
				return false
			}
		}
		return true
	}
	switch u := u.(type) {
	case *NAU:
		return in(u.W.Value.Data, -1, 1)
	case *NMU:
		return in(u.W.Value.Data, 0, 1)
	case *NAUNMU:
		return in(u.Sum.W.Value.Data, -1, 1) && in(u.Product.W.Value.Data, 0, 1)
	case *RealNPU:
		return in(u.G.Value.Data, 0, 1)
	}
	return true
}

// TestUnitAdamStepGradientsAndConstraints checks, for every unit at small
// widths (W = 3, H = 5, O = 4, batch 8, random inputs, λ = 1), that every
// element of every parameter receives a non-zero gradient, and that after
// an Adam step at learning rate 1, large enough to push the constrained
// parameters out of their ranges (checked), Constrain brings them back. At
// the study's widths (batch 32, output 128) and λ = 0, so that the gradient
// comes from the loss alone, it checks that every parameter receives a
// finite gradient, non-zero somewhere: for every unit but the NMU and the
// NAU-NMU stack, which TestNMUStartsWithoutSignal shows get none there.
func TestUnitAdamStepGradientsAndConstraints(t *testing.T) {
	for _, spec := range arithmeticUnits {
		s := newUnitStep(spec, 3, 5, 4, 8, random, 1, 1)
		s.gradients()
		for i, p := range s.unit.Params() {
			for k, g := range p.Grad.Data {
				if g == 0 || math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
					t.Errorf("%s: parameter %d %s element %d has gradient %g", spec.Name, i, p.Value.shape(), k, g)
					break
				}
			}
		}
		s.opt.Step()
		switch s.unit.(type) {
		case *NAU, *NMU, *NAUNMU, *RealNPU:
			if constraintsHold(s.unit) {
				t.Errorf("%s: the Adam step left every parameter in range; the test proves nothing", spec.Name)
			}
		}
		s.unit.Constrain()
		if !constraintsHold(s.unit) {
			t.Errorf("%s: a parameter is out of range after Constrain", spec.Name)
		}

		if spec.Name == "nmu" || spec.Name == "nau-nmu" {
			continue // no signal from the loss at these widths: TestNMUStartsWithoutSignal
		}
		big := newUnitStep(spec, busWidth, hiddenWidth, 128, 32, random, 1e-3, 0)
		big.gradients()
		for i, p := range big.unit.Params() {
			nonZero := false
			for _, g := range p.Grad.Data {
				nonZero = nonZero || g != 0
			}
			if !nonZero || !allFinite(p) {
				t.Errorf("%s at the study's widths: parameter %d %s has no non-zero finite gradient", spec.Name, i, p.Value.shape())
			}
		}
	}
}

// TestUnitStepAllocatesNothing checks that once recorded, a unit's training
// step (forward, backward, Adam, Constrain) allocates nothing, at the
// study's shapes, as TestTrainStepAllocatesNothing does for the networks.
func TestUnitStepAllocatesNothing(t *testing.T) {
	for _, spec := range arithmeticUnits {
		s := newUnitStep(spec, busWidth, hiddenWidth, 128, 32, random, 1e-3, 1)
		if allocs := testing.AllocsPerRun(3, s.step); allocs != 0 {
			t.Errorf("%s: %v allocations per step", spec.Name, allocs)
		}
	}
}

// TestUnitSparsityLambdaRamp checks the regulariser's schedule on a trial of
// 1,000 steps: off for the first fifth, then linear up to λmax = 10 at two
// fifths, then constant.
func TestUnitSparsityLambdaRamp(t *testing.T) {
	for _, c := range []struct {
		step int
		want float32
	}{{0, 0}, {100, 0}, {200, 0}, {250, 2.5}, {300, 5}, {400, 10}, {401, 10}, {999, 10}} {
		if got := sparsityLambda(c.step, 1000); math.Abs(float64(got-c.want)) > 1e-5 {
			t.Errorf("sparsityLambda(%d, 1000) = %g, want %g", c.step, got, c.want)
		}
	}
}

// TestUnitSparsityValue checks the regulariser's value by hand: for NAU
// weights [0.2, -0.9, 0.5, 1.5] the terms min(|w|, 1-|w|) are 0.2, 0.1,
// 0.5, -0.5, mean 0.075, and λ = 2 gives 0.15; for NMU weights [0.2, 0.9,
// 0, 1] the terms are 0.2, 0.1, 0, 0, mean 0.075 again. λ = 0 gives 0.
func TestUnitSparsityValue(t *testing.T) {
	for _, c := range []struct {
		kind    sparsityKind
		w       []float32
		lambda  float32
		want    float32
		explain string
	}{
		{sparsityNAU, []float32{0.2, -0.9, 0.5, 1.5}, 2, 0.15, "nau"},
		{sparsityNMU, []float32{0.2, 0.9, 0, 1}, 2, 0.15, "nmu"},
		{sparsityNMU, []float32{0.2, 0.9, 0, 1}, 0, 0, "nmu off"},
	} {
		tp := newTape()
		w := newParam(2, 2)
		copy(w.Value.Data, c.w)
		l := tp.Input(1, 1)
		l.Value.Data[0] = c.lambda
		out := tp.Sparsity(w, l, c.kind)
		tp.Forward()
		if got := out.Value.Data[0]; math.Abs(float64(got-c.want)) > 1e-6 {
			t.Errorf("%s: R = %g, want %g", c.explain, got, c.want)
		}
	}
}

// TestUnitLog32Accuracy compares log32 with math.Log over float32's whole
// positive range, every 997th bit pattern (subnormals included), and checks
// its special values. The error bound, 2 units in the last place of the
// result plus 2^-24 absolute near 1 (where ln x passes through 0), is what
// the series and the float32 rounding of its few operations allow.
func TestUnitLog32Accuracy(t *testing.T) {
	worst := 0.0
	for bits := uint32(1); bits < 0x7f800000; bits += 997 {
		x := math.Float32frombits(bits)
		got, want := float64(log32(x)), math.Log(float64(x))
		ulp := math.Abs(float64(math.Nextafter32(float32(want), float32(math.Inf(1))) - float32(want)))
		err := math.Abs(got-want) / (ulp + 0x1p-24)
		worst = max(worst, err)
		if err > 2 {
			t.Fatalf("log32(%g) = %.9g, want %.9g (%.2f ulp)", x, got, want, err)
		}
	}
	t.Logf("worst error %.2f ulp", worst)
	if v := log32(0); !math.IsInf(float64(v), -1) {
		t.Errorf("log32(0) = %g, want -Inf", v)
	}
	if v := log32(float32(math.Inf(1))); !math.IsInf(float64(v), 1) {
		t.Errorf("log32(+Inf) = %g, want +Inf", v)
	}
	for _, x := range []float32{-1, float32(math.NaN())} {
		if v := log32(x); !math.IsNaN(float64(v)) {
			t.Errorf("log32(%g) = %g, want NaN", x, v)
		}
	}
	if v := log32(1); v != 0 {
		t.Errorf("log32(1) = %g, want exactly 0", v)
	}
}

// TestUnitsComputeTheirFormulas sets each arithmetic unit's weights by hand
// to the solution of a small task, with one input in a and one in b
// (W = 1, x = [a | b]), and checks the output against the formula:
//
//	nac with W = [1, 1]:            a + b
//	nalu with W = [1, 1], g → 0:    |a|·|b| (log space loses the sign)
//	inalu with W_m = [1, 1], g → 0: a·b with its sign (msv = sgn a·sgn b)
//	nau with W = [1, -1]:           a - b
//	nmu with W = [1, 1]:            a·b
//	nau-nmu, NAU = identity, NMU = [1, 1]: a·b
//	realnpu with W = [2, 1], g = 1: a²·b, sign included
//	nalu, inalu with their gates → 1: a + b (the additive paths)
//	glu with V = [1, 0], U = [0, 1], output 1: a·σ(b)
//	bilinear-glu, the same weights:          a·b
//
// Saturated weights (tanh(20)·σ(20)) and gates (σ(-30)) are 1 and 0 within
// float32 rounding.
func TestUnitsComputeTheirFormulas(t *testing.T) {
	set := func(n *Node, v ...float32) { copy(n.Value.Data, v) }
	const sat = 20 // tanh(20)·σ(20) rounds to 1 in float32
	mixed := [][2]float32{{2, 3}, {-2, 3}, {1.5, -0.5}, {-1.25, -4}}
	cases := []struct {
		name   string
		build  func() arithmeticUnit
		inputs [][2]float32
		want   func(a, b float64) float64
	}{
		{"nac", func() arithmeticUnit {
			u := newNAC(2, 1)
			set(u.What, sat, sat)
			set(u.MHat, sat, sat)
			return u
		}, mixed, func(a, b float64) float64 { return a + b }},
		// NALU's gate σ(x G) is held near 0 by a large negative G, for
		// inputs whose sum is positive.
		{"nalu", func() arithmeticUnit {
			u := newNALU(2, 1)
			set(u.What, sat, sat)
			set(u.MHat, sat, sat)
			set(u.G, -30, -30)
			return u
		}, [][2]float32{{2, 3}, {0.5, 4}, {-1.5, 2}}, func(a, b float64) float64 { return math.Abs(a) * math.Abs(b) }},
		{"inalu", func() arithmeticUnit {
			u := newINALU(2, 1)
			set(u.MulHat, sat, sat)
			set(u.MulMHat, sat, sat)
			set(u.G, -30)
			return u
		}, mixed, func(a, b float64) float64 { return a * b }},
		{"nau", func() arithmeticUnit {
			u := newNAU(2, 1)
			set(u.W, 1, -1)
			return u
		}, mixed, func(a, b float64) float64 { return a - b }},
		{"nmu", func() arithmeticUnit {
			u := newNMU(2, 1)
			set(u.W, 1, 1)
			return u
		}, mixed, func(a, b float64) float64 { return a * b }},
		{"nau-nmu", func() arithmeticUnit {
			u := newNAUNMU(2, 2, 1)
			set(u.Sum.W, 1, 0, 0, 1)
			set(u.Product.W, 1, 1)
			return u
		}, mixed, func(a, b float64) float64 { return a * b }},
		{"realnpu", func() arithmeticUnit {
			u := newRealNPU(2, 1)
			set(u.W, 2, 1)
			set(u.G, 1, 1)
			return u
		}, mixed, func(a, b float64) float64 { return a * a * b }},
		// The additive paths: NALU's and iNALU's gates held near 1.
		{"nalu, gate open", func() arithmeticUnit {
			u := newNALU(2, 1)
			set(u.What, sat, sat)
			set(u.MHat, sat, sat)
			set(u.G, 30, 30)
			return u
		}, [][2]float32{{2, 3}, {0.5, 4}, {1.5, 2}}, func(a, b float64) float64 { return a + b }},
		{"inalu, gate open", func() arithmeticUnit {
			u := newINALU(2, 1)
			set(u.AddHat, sat, sat)
			set(u.AddMHat, sat, sat)
			set(u.G, 30)
			return u
		}, mixed, func(a, b float64) float64 { return a + b }},
		{"glu", gluOfAAndB(actSigmoid), mixed, func(a, b float64) float64 { return a / (1 + math.Exp(-b)) }},
		{"bilinear-glu", gluOfAAndB(actLinear), mixed, func(a, b float64) float64 { return a * b }},
	}
	for _, c := range cases {
		checkUnitFormula(t, c.name, c.build(), c.inputs, c.want)
	}
}

// gluOfAAndB builds a (2 -> 1 -> 1) GLU whose gate has activation gate,
// with value weights [1, 0], gate weights [0, 1] and output weight 1, so
// that it computes a · gate(b).
func gluOfAAndB(gate activation) func() arithmeticUnit {
	return func() arithmeticUnit {
		u := newGLU(2, 1, 1, gate)
		copy(u.Value.W.Value.Data, []float32{1, 0})
		copy(u.Gate.W.Value.Data, []float32{0, 1})
		u.Out.W.Value.Data[0] = 1
		return u
	}
}

// checkUnitFormula records u on a batch of the given (a, b) pairs and
// compares each output with want(a, b) within 1e-5 relative.
func checkUnitFormula(t *testing.T, name string, u arithmeticUnit, inputs [][2]float32, want func(a, b float64) float64) {
	t.Helper()
	tp := newEvalTape()
	a, b := tp.Input(len(inputs), 1), tp.Input(len(inputs), 1)
	for i, in := range inputs {
		a.Value.Data[i], b.Value.Data[i] = in[0], in[1]
	}
	out := u.Record(tp, a, b)
	tp.Forward()
	for i, in := range inputs {
		w := want(float64(in[0]), float64(in[1]))
		if got := float64(out.Value.Data[i]); math.Abs(got-w) > 1e-5*math.Abs(w)+1e-6 {
			t.Errorf("%s(%g, %g) = %g, want %g", name, in[0], in[1], got, w)
		}
	}
}

// TestUnitRegistry checks the list of units: distinct names that clash with
// none of the paper's networks, lookupUnit and its error, each unit's
// parameter shapes at the study's widths for output width 128, and that
// Init is a pure function of the seed.
func TestUnitRegistry(t *testing.T) {
	shapes := map[string]string{
		"nac":          "[(256,128) (256,128)]",
		"nalu":         "[(256,128) (256,128) (256,128)]",
		"inalu":        "[(256,128) (256,128) (256,128) (256,128) (1,128)]",
		"nau":          "[(256,128)]",
		"nmu":          "[(256,128)]",
		"nau-nmu":      "[(256,256) (256,128)]",
		"realnpu":      "[(256,128) (1,256)]",
		"glu":          "[(256,256) (1,256) (256,256) (1,256) (256,128) (1,128)]",
		"bilinear-glu": "[(256,256) (1,256) (256,256) (1,256) (256,128) (1,128)]",
	}
	if len(arithmeticUnits) != len(shapes) {
		t.Fatalf("%d units, want %d", len(arithmeticUnits), len(shapes))
	}
	seen := map[string]bool{}
	for _, n := range paperNetworkNames() {
		seen[n] = true
	}
	for _, spec := range arithmeticUnits {
		if seen[spec.Name] {
			t.Errorf("unit %s: name already taken", spec.Name)
		}
		seen[spec.Name] = true
		if got, err := findNetwork(spec.Name); err != nil || got.Name != spec.Name || isPaperNetwork(spec.Name) {
			t.Errorf("findNetwork(%q) = %v, %v", spec.Name, got.Name, err)
		}
		if ns := spec.NetworkSpec(); ns.Name != spec.Name || ns.Depth != spec.Depth {
			t.Errorf("unit %s: NetworkSpec %+v", spec.Name, ns)
		}
		u := spec.New(busWidth, hiddenWidth, 128)
		var got []string
		for _, p := range u.Params() {
			got = append(got, p.Value.shape())
		}
		if fmt.Sprint(got) != shapes[spec.Name] {
			t.Errorf("unit %s: parameters %v, want %s", spec.Name, got, shapes[spec.Name])
		}
		v := spec.New(busWidth, hiddenWidth, 128)
		u.Init(42)
		v.Init(42)
		for i, p := range u.Params() {
			if !equalData(p.Value.Data, v.Params()[i].Value.Data) {
				t.Errorf("unit %s: the same seed gave different parameters", spec.Name)
			}
		}
		v.Init(43)
		if equalData(u.Params()[0].Value.Data, v.Params()[0].Value.Data) {
			t.Errorf("unit %s: different seeds gave the same parameters", spec.Name)
		}
	}
	if _, err := findNetwork("nalu2"); err == nil || !strings.Contains(err.Error(), "bilinear-glu") {
		t.Errorf("unknown network error = %v", err)
	}
}

// TestNACInitVariance checks the NAC's initialisation at the study's widths
// (2W = 256 -> 128): Ŵ, M̂ ~ U[-r, r] with r from nacInitRange must give
// W = tanh(Ŵ)σ(M̂) mean 0 and variance 2/(256+128). With 32,768 weights the
// variance's standard error is under 1%; the tolerance is 5%.
func TestNACInitVariance(t *testing.T) {
	u := newNAC(256, 128)
	u.Init(7)
	tp := newEvalTape()
	w := tp.NACWeight(u.What, u.MHat)
	tp.Forward()
	var sum, sumSq float64
	for _, v := range w.Value.Data {
		sum += float64(v)
		sumSq += float64(v) * float64(v)
	}
	n := float64(len(w.Value.Data))
	mean, variance, want := sum/n, sumSq/n-(sum/n)*(sum/n), 2.0/384
	if math.Abs(mean) > 0.02*math.Sqrt(want) || math.Abs(variance/want-1) > 0.05 {
		t.Errorf("W: mean %g, variance %g, want 0 and %g (r = %g)", mean, variance, want, nacInitRange(256, 128))
	}
}

// BenchmarkUnitStep measures one training step (forward, MSE loss plus
// regulariser, backward, Adam, Constrain) of every unit at batch 32, inputs
// 2 x 128 (random), output width 128, as BenchmarkTrainStep does for the
// networks. Run with -benchmem: a step allocates nothing.
func BenchmarkUnitStep(b *testing.B) {
	for _, spec := range arithmeticUnits {
		b.Run(spec.Name, func(b *testing.B) {
			s := newUnitStep(spec, busWidth, hiddenWidth, 128, 32, random, 1e-3, 1)
			s.step()
			b.ReportAllocs()
			for b.Loop() {
				s.step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// TestSparsityOption: -sparsity sets the protocol's Sparsity, which its
// string names (after the fixed settings, before the replay's switches)
// and reads back; without it the string is the fixed protocol's as
// before; an experiment's model gets the option.
func TestSparsityOption(t *testing.T) {
	o, err := parseArgs([]string{"-sparsity", "-networks", "nau"})
	if err != nil || !o.protocol.Sparsity {
		t.Fatalf("-sparsity: %+v, %v", o.protocol, err)
	}
	if s := paperProtocol().String(); strings.Contains(s, "sparsity") {
		t.Errorf("the fixed protocol names the regulariser: %s", s)
	}
	p := paperProtocol()
	p.Sparsity, p.Replay = true, 1<<replayTrainStop
	s := p.String()
	if !strings.Contains(s, ";test=4000;sparsity=mj2020;replay=") {
		t.Errorf("protocol string %s", s)
	}
	if q, err := parseProtocol(s); err != nil || !q.Sparsity || q.String() != s {
		t.Errorf("parseProtocol(%s) = %+v, %v", s, q, err)
	}
	if _, err := parseProtocol(strings.Replace(s, "mj2020", "mj2019", 1)); err == nil || !strings.Contains(err.Error(), "mj2020") {
		t.Errorf("an unknown regulariser: %v", err)
	}
	p.Replay = 0
	task, _ := lookupTask("reduce_sum")
	spec, _ := findNetwork("nau")
	tr, err := newExperimentTrainer(context.Background(), p, Experiment{Task: task, Dataset: random, Network: spec, Seed: 1})
	if err != nil || !tr.m.sparsity {
		t.Errorf("the experiment's model: sparsity %v, %v", tr != nil && tr.m.sparsity, err)
	}
}

// TestUnitsStudyCommand: README's command for the units' study parses and
// selects the nine units and the three anchors over the paper's pairs.
func TestUnitsStudyCommand(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "GOEXPERIMENT=simd go run . "
	var line string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, "-out results-units") {
			line = l
		}
	}
	if line == "" {
		t.Fatal("README has no command for results-units")
	}
	o, err := parseArgs(strings.Fields(strings.TrimPrefix(line, prefix)))
	if err != nil {
		t.Fatal(err)
	}
	if !o.protocol.Sparsity || o.sel.Seeds != 5 {
		t.Errorf("%s: sparsity %v, %d seeds", line, o.protocol.Sparsity, o.sel.Seeds)
	}
	want := len(arithmeticUnits) + len(unitAnchors)
	if len(o.sel.Networks) != want {
		t.Errorf("%d networks, want the %d units and anchors", len(o.sel.Networks), want)
	}
	for _, u := range arithmeticUnits {
		if !slices.Contains(o.sel.Networks, u.Name) {
			t.Errorf("the command leaves out %s", u.Name)
		}
	}
}

// unitNamed returns the unit of that name from arithmeticUnits.
func unitNamed(t *testing.T, name string) unitSpec {
	t.Helper()
	for _, spec := range arithmeticUnits {
		if spec.Name == name {
			return spec
		}
	}
	t.Fatalf("no unit %s", name)
	return unitSpec{}
}

// TestNMUStartsWithoutSignal pins down why the NMU fails at the study's
// widths (see NMU): at its published initialisation, with λ = 0, the
// loss gives the weights of nmu and nau-nmu no gradient above 1e-30 on any
// of the four datasets (batch 32, output width 128), while at the widths of
// Madsen & Johansen's task (a hidden layer of 2) the same NMU gets one.
func TestNMUStartsWithoutSignal(t *testing.T) {
	for _, name := range []string{"nmu", "nau-nmu"} {
		spec := unitNamed(t, name)
		for _, data := range []datasetKind{oneHot, manyHot, random, randomPos} {
			s := newUnitStep(spec, busWidth, hiddenWidth, 128, 32, data, 1e-3, 0)
			s.gradients()
			largest := 0.0
			for _, p := range s.unit.Params() {
				for _, g := range p.Grad.Data {
					largest = max(largest, math.Abs(float64(g)))
				}
			}
			if largest > 1e-30 || math.IsNaN(largest) {
				t.Errorf("%s on %s: largest gradient %g, want below 1e-30", name, datasetNames[data], largest)
			}
		}
	}
	spec := unitNamed(t, "nmu")
	narrow := newUnitStep(spec, 1, 0, 1, 32, random, 1e-3, 0)
	narrow.gradients()
	for _, g := range narrow.unit.Params()[0].Grad.Data {
		if math.Abs(float64(g)) < 1e-3 {
			t.Errorf("nmu on 2 inputs: gradient %g, want a usable one", g)
		}
	}
}

// TestUnitInitialRanges checks each constrained unit's starting values as
// its doc gives them: NAU weights within the Glorot range capped at 1/2
// (1/8 at the study's widths, 1/2 at 4 -> 2), NMU weights in [1/4, 3/4] reaching
// both ends within 0.01, the real NPU's gates all 1/2, iNALU's gates all 0.
func TestUnitInitialRanges(t *testing.T) {
	span := func(v []float32) (lo, hi float32) {
		lo, hi = v[0], v[0]
		for _, x := range v {
			lo, hi = min(lo, x), max(hi, x)
		}
		return lo, hi
	}
	for _, c := range []struct {
		in, out int
		limit   float32
	}{{2 * busWidth, 128, 0.125}, {4, 2, 0.5}} { // sqrt(6/384) = 1/8; sqrt(6/6) capped at 1/2
		nau := newNAU(c.in, c.out)
		nau.Init(3)
		if lo, hi := span(nau.W.Value.Data); lo < -c.limit || hi > c.limit || max(-lo, hi) < 0.5*c.limit {
			t.Errorf("nau (%d -> %d): W in [%g, %g], want within ±%g", c.in, c.out, lo, hi, c.limit)
		}
	}
	nmu := newNMU(2*busWidth, 128)
	nmu.Init(3)
	if lo, hi := span(nmu.W.Value.Data); lo < 0.25 || hi > 0.75 || lo > 0.26 || hi < 0.74 {
		t.Errorf("nmu: W in [%g, %g], want [0.25, 0.75]", lo, hi)
	}
	npu := newRealNPU(2*busWidth, 128)
	npu.Init(3)
	if lo, hi := span(npu.G.Value.Data); lo != 0.5 || hi != 0.5 {
		t.Errorf("realnpu: g in [%g, %g], want 1/2", lo, hi)
	}
	inalu := newINALU(2*busWidth, 128)
	copy(inalu.G.Value.Data, []float32{1, 2, 3})
	inalu.Init(3)
	if lo, hi := span(inalu.G.Value.Data); lo != 0 || hi != 0 {
		t.Errorf("inalu: G in [%g, %g], want 0", lo, hi)
	}
}

// TestModelStepSetsSparsityLambda checks that a training step writes the
// ramp's λ into the model's regulariser input when the protocol's Sparsity
// is on (step 300 of 1,000: λ = 5), and leaves it at 0 when it is off.
func TestModelStepSetsSparsityLambda(t *testing.T) {
	spec, err := findNetwork("nau")
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{false, true} {
		m, err := newModel(spec, 128, 32, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		m.sparsity = on
		m.startTrial(1, 1e-3, 1000)
		m.taken = 300
		m.step()
		want := float32(0)
		if on {
			want = sparsityLambda(300, 1000)
		}
		if got := m.lambda.Value.Data[0]; got != want || (on && want != 5) {
			t.Errorf("sparsity %v: λ = %g after step 300 of 1000, want %g", on, got, want)
		}
	}
}

// BenchmarkProduct measures the NMU product's forward and backward at the
// study's shape (batch 32, 256 inputs, 128 outputs) on random inputs and
// weights in the initial range, with and without the input's gradient
// (the nmu unit's input is data and needs none; nau-nmu's needs one).
func BenchmarkProduct(b *testing.B) {
	r := newRNG(hashString("BenchmarkProduct"))
	x, w, out := newTensor(32, 256), newTensor(256, 128), newTensor(32, 128)
	fill(&r, x, -1, 1)
	fill(&r, w, 0.25, 0.75)
	dout, dx, dw := newTensor(32, 128), newTensor(32, 256), newTensor(256, 128)
	fill(&r, dout, -1, 1)
	suffix, scratch := newTensor(productGroup*257, 128), newTensor(2*productGroup+1, 128)
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			productForward(out, x, w)
		}
	})
	b.Run("backward-dw", func(b *testing.B) {
		for b.Loop() {
			productBackward(nil, dw, dout, x, w, suffix, scratch)
		}
	})
	b.Run("backward-dx-dw", func(b *testing.B) {
		for b.Loop() {
			productBackward(dx, dw, dout, x, w, suffix, scratch)
		}
	})
}

// productForwardRef and productBackwardRef are the NMU product's loops as
// they were before the kernels (one fused loop per record and input, plain
// Go): the reference TestProductMatchesReference holds the kernels to.
func productForwardRef(dst, x, w *Tensor) {
	for n := 0; n < dst.Rows; n++ {
		o := dst.Row(n)
		for j := range o {
			o[j] = 1
		}
		for i, xi := range x.Row(n) {
			for j, wij := range w.Row(i)[:len(o)] {
				o[j] *= wij*xi + 1 - wij
			}
		}
	}
}

func productBackwardRef(dx, dw, dout, x, w *Tensor) {
	in, width := w.Rows, w.Cols
	suffix, p := newTensor(in+1, width), make([]float32, width)
	for n := 0; n < dout.Rows; n++ {
		xr, d := x.Row(n), dout.Row(n)
		for j := range width {
			suffix.Data[in*width+j] = 1
		}
		for i := in - 1; i >= 0; i-- {
			si, next, wr := suffix.Row(i), suffix.Row(i+1), w.Row(i)
			for j, wij := range wr {
				si[j] = next[j] * (wij*xr[i] + 1 - wij)
			}
		}
		for j := range p {
			p[j] = 1
		}
		for i := 0; i < in; i++ {
			after, wr, xi := suffix.Row(i+1), w.Row(i), xr[i]
			var dxi float32
			for j, wij := range wr {
				g := d[j] * p[j] * after[j]
				if dw != nil {
					dw.Data[i*width+j] += g * (xi - 1)
				}
				dxi += g * wij
				p[j] *= wij*xi + 1 - wij
			}
			if dx != nil {
				dx.Data[n*dx.Cols+i] += dxi
			}
		}
	}
}

// TestProductMatchesReference runs the NMU product's forward and backward
// through the installed kernels (plain Go, or a vector set in a
// GOEXPERIMENT=simd build) on awkward shapes, rows shorter than, equal to
// and longer than a vector of 8 or 16, with exact zeros in x and weights
// at 0 and 1, with and without each gradient, and requires the bits of
// the reference loops (within 1e-5 in a build that fuses multiply-adds).
// Gradients are added into garbage, to check they add.
func TestProductMatchesReference(t *testing.T) { checkProductMatchesReference(t) }

// checkProductMatchesReference is TestProductMatchesReference's check, on
// the installed kernels; tensor_simd_amd64_test.go runs it with each vector
// set installed in turn. Batches of 5 and 9 leave productBackward a short
// last group of records.
func checkProductMatchesReference(t *testing.T) {
	t.Helper()
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 7}, {2, 3, 8}, {2, 4, 15}, {3, 2, 16}, {2, 6, 17}, {5, 9, 31}, {9, 7, 20}, {2, 40, 129}, {4, 256, 128}} {
		n, in, out := s[0], s[1], s[2]
		r := newRNG(hashString("TestProductMatchesReference"), uint64(n), uint64(in), uint64(out))
		x, w, dout := newTensor(n, in), newTensor(in, out), newTensor(n, out)
		fill(&r, x, -1.5, 1.5)
		fill(&r, w, 0, 1)
		fill(&r, dout, -1, 1)
		x.Data[0], w.Data[0], w.Data[len(w.Data)-1] = 0, 1, 0
		got, want := newTensor(n, out), newTensor(n, out)
		productForward(got, x, w)
		productForwardRef(want, x, w)
		name := fmt.Sprintf("%s %dx%dx%d", kernels.name, n, in, out)
		if i := firstDifferenceUnlessFused(got.Data, want.Data); i >= 0 {
			t.Fatalf("%s forward: out[%d] = %v, want %v", name, i, got.Data[i], want.Data[i])
		}
		for _, grads := range []string{"dx dw", "dw", "dx"} {
			var dx, dw, dxRef, dwRef *Tensor
			if strings.Contains(grads, "dx") {
				dx, dxRef = newTensor(n, in), newTensor(n, in)
				fill(&r, dx, -1, 1)
				copy(dxRef.Data, dx.Data)
			}
			if strings.Contains(grads, "dw") {
				dw, dwRef = newTensor(in, out), newTensor(in, out)
				fill(&r, dw, -1, 1)
				copy(dwRef.Data, dw.Data)
			}
			productBackward(dx, dw, dout, x, w, newTensor(productGroup*(in+1), out), newTensor(2*productGroup+1, out))
			productBackwardRef(dxRef, dwRef, dout, x, w)
			for _, c := range []struct {
				what      string
				got, want *Tensor
			}{{"dx", dx, dxRef}, {"dw", dw, dwRef}} {
				if c.got == nil {
					continue
				}
				if i := firstDifferenceUnlessFused(c.got.Data, c.want.Data); i >= 0 {
					t.Fatalf("%s backward (%s): %s[%d] = %v, want %v", name, grads, c.what, i, c.got.Data[i], c.want.Data[i])
				}
			}
		}
	}
}

// TestNACWeightMatchesScalar holds NACWeight's forward, which runs through
// the activation and element-wise kernels (vectorised in a GOEXPERIMENT=simd
// build), to tanh32(Ŵ)·sigmoid32(M̂) element by element, bit for bit
// (within 1e-5 where plain Go fuses multiply-adds), on a ragged shape with
// saturating values, ±0 and ±Inf.
func TestNACWeightMatchesScalar(t *testing.T) {
	r := newRNG(hashString("TestNACWeightMatchesScalar"))
	tp := newTape()
	what, mhat := newParam(37, 19), newParam(37, 19)
	fill(&r, what.Value, -12, 12)
	fill(&r, mhat.Value, -40, 40)
	inf := float32(math.Inf(1))
	copy(what.Value.Data, []float32{0, float32(math.Copysign(0, -1)), inf, -inf, 1e-30})
	copy(mhat.Value.Data, []float32{inf, -inf, 0, 3, -100})
	out := tp.NACWeight(what, mhat)
	tp.Forward()
	want := make([]float32, len(out.Value.Data))
	for i := range want {
		want[i] = tanh32(what.Value.Data[i]) * sigmoid32(mhat.Value.Data[i])
	}
	if i := firstDifferenceUnlessFused(out.Value.Data, want); i >= 0 {
		t.Fatalf("%s: W[%d] = %v, want %v", kernels.name, i, out.Value.Data[i], want[i])
	}
}

// TestSparsityBackwardSlopes checks the regulariser's backward, built from
// bits, against its definition with branches on each weight: the slope of
// min(|w|, 1 - |w|) (NAU) or min(w, 1 - w) (NMU) is sgn(w) or 1 below the
// middle and minus that above, 0 for a NAU weight at ±0 or NaN; with
// dout·λ/count = 2 each gradient must come out as exactly twice that, to
// the bit (+0 where the slope is 0).
func TestSparsityBackwardSlopes(t *testing.T) {
	nan := float32(math.NaN())
	ws := []float32{0, float32(math.Copysign(0, -1)), 0.2, -0.2, 0.5, -0.5, 0.7, -0.7, 1, -1, 1.5, -1.5, nan, 1e-40, -1e-40}
	for _, kind := range []sparsityKind{sparsityNAU, sparsityNMU} {
		tp := newTape()
		w := newParam(1, len(ws))
		copy(w.Value.Data, ws)
		l := tp.Input(1, 1)
		l.Value.Data[0] = 2 * float32(len(ws)) // dout·λ/count = 2
		tp.Backward(tp.Sparsity(w, l, kind))
		for i, v := range ws {
			want := float32(1)
			if kind == sparsityNAU {
				want = sign32(v)
				v = abs32(v)
			}
			if v > 1-v {
				want = -want
			}
			if got := w.Grad.Data[i]; math.Float32bits(got) != math.Float32bits(2*want) {
				t.Errorf("kind %d, w = %g: gradient %g, want %g", kind, ws[i], got, 2*want)
			}
		}
	}
}
