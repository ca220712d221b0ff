// adam.go: the Adam optimiser over a list of parameters.
//
// Adam (Kingma & Ba, 2015, "Adam: A Method for Stochastic Optimization",
// Algorithm 1) with the study's constants: beta1 0.9, beta2 0.999,
// epsilon 1e-8, bias correction, and a constant learning rate.
package main

import (
	"fmt"
	"math"
)

// Adam's constants, as TensorFlow's AdamOptimizer and PyTorch's Adam default
// them and as the original study left them.
const (
	adamBeta1   = 0.9
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
)

// Adam holds the optimiser's state: for every parameter a first-moment
// tensor M and a second-moment tensor V of the parameter's shape, and the
// step count t. It is allocated once per training and Reset per trial.
type Adam struct {
	LR     float64
	params []*Node
	m, v   []*Tensor // m[i], v[i] have params[i]'s shape
	t      int       // steps taken so far
}

// newAdam returns an optimiser for params with learning rate lr and zeroed
// moments.
func newAdam(params []*Node, lr float64) *Adam {
	a := &Adam{LR: lr, params: params}
	for _, p := range params {
		a.m = append(a.m, newTensor(p.Value.Rows, p.Value.Cols))
		a.v = append(a.v, newTensor(p.Value.Rows, p.Value.Cols))
	}
	return a
}

// Reset zeroes the moments and the step count and sets a new learning rate,
// so one optimiser serves every trial of an experiment.
func (a *Adam) Reset(lr float64) {
	a.LR, a.t = lr, 0
	for i := range a.m {
		clear(a.m[i].Data)
		clear(a.v[i].Data)
	}
}

// Step applies one update to every parameter from its gradient g, in one
// pass over each parameter (Algorithm 1, with t counted from 1):
//
//	m ← β1·m + (1-β1)·g           biased first moment
//	v ← β2·v + (1-β2)·g²          biased second raw moment
//	m̂ = m/(1-β1^t), v̂ = v/(1-β2^t) bias corrections
//	θ ← θ - lr·m̂/(√v̂ + ε)
//
// The corrections are folded into two scalars per step: θ -= step·m/(√v·c2 + ε)
// with step = lr/(1-β1^t) and c2 = 1/√(1-β2^t). (TensorFlow 1.x adds ε to
// √v before the correction instead, "epsilon hat"; the two differ only while
// v is of the order of ε².)
func (a *Adam) Step() {
	a.t++
	bc1 := 1 - math.Pow(adamBeta1, float64(a.t))
	bc2 := 1 - math.Pow(adamBeta2, float64(a.t))
	step := float32(a.LR / bc1)
	c2 := float32(1 / math.Sqrt(bc2))
	for i, p := range a.params {
		adamUpdate(p.Value.Data, p.Grad.Data, a.m[i].Data, a.v[i].Data, step, c2)
	}
}

// adamUpdate applies one Adam update to the parameter values theta from
// gradients g, updating the moments m and v in place; all four have one
// length. step and c2 are Step's per-step scalars. It runs the installed
// kernels (kernels.adamUpdate).
func adamUpdate(theta, g, m, v []float32, step, c2 float32) {
	if len(g) != len(theta) || len(m) != len(theta) || len(v) != len(theta) {
		panic(fmt.Sprintf("adamUpdate: lengths %d, %d, %d, %d differ", len(theta), len(g), len(m), len(v)))
	}
	kernels.adamUpdate(theta, g, m, v, step, c2)
}

// minNormal32 is the smallest positive normal float32, 2^-126. Below it
// numbers are subnormal, and on this kind of CPU every arithmetic operation
// on a subnormal takes a slow microcode path.
const minNormal32 = 0x1p-126

// minNormal32Bits is minNormal32's bit pattern: a float32 whose magnitude's
// bits are below it is zero or subnormal.
const minNormal32Bits = 0x00800000

// adamUpdateGo is the plain-Go adamUpdate kernel: one fused pass over the
// parameters theta, their gradients g and moments m and v, all of one
// length.
//
// A moment whose magnitude falls below minNormal32 is set to zero (flush to
// zero, which Go cannot ask the hardware for). This matters: a parameter
// whose gradient stays zero, as a dead ReLU unit's weights do, has its first
// moment shrink by 0.9 each step, into the subnormal range after about 800
// steps, and there it stays for ever, because 0.9·2^-149 rounds back to
// 2^-149, and every operation on it takes the slow path
// (TestAdamFlushesSubnormalMoments; the slowdown is in README.md,
// Performance). The flush changes an update by at most lr·2^-126/ε, about
// 1e-30·lr.
func adamUpdateGo(theta, g, m, v []float32, step, c2 float32) {
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	for i, gi := range g {
		mi := adamBeta1*m[i] + (1-adamBeta1)*gi
		vi := adamBeta2*v[i] + (1-adamBeta2)*gi*gi
		// Test |m| through its bits: a test of m's sign first would branch
		// on a coin toss and mispredict half the time (BenchmarkSIMDKernels'
		// Go/adam); this branch is almost never taken.
		if math.Float32bits(mi)&0x7fffffff < minNormal32Bits {
			mi = 0
		}
		if vi < minNormal32 {
			vi = 0
		}
		m[i], v[i] = mi, vi
		theta[i] -= step * mi / (float32(math.Sqrt(float64(vi)))*c2 + adamEpsilon)
	}
}
