package main

import (
	"math"
	"testing"
)

// TestAdamFirstStepsByHand follows one parameter, θ0 = 1 with learning rate
// 0.1, through three steps with gradients 0.5, -1 and 0.25, against values
// worked by hand from Algorithm 1:
//
//	t=1: m = 0.05,    v = 0.00025;    m̂ = 0.5,   v̂ = 0.25      θ = 1 - 0.1·0.5/0.5 = 0.9
//	t=2: m = -0.055,  v = 0.00124975; m̂ = -0.055/0.19, v̂ = 0.00124975/0.001999
//	     θ = 0.9 + 0.1·0.289474/0.790688 = 0.936610
//	t=3: m = -0.0245, v = 0.00131100; θ = 0.950279
//
// A second parameter whose gradient is always 0 must not move.
func TestAdamFirstStepsByHand(t *testing.T) {
	p := newParam(1, 2)
	p.Value.Data[0], p.Value.Data[1] = 1, -3
	opt := newAdam([]*Node{p}, 0.1)
	grads := []float32{0.5, -1, 0.25}
	want := []float64{0.9, 0.9366103542, 0.9502794203}
	wantM := []float64{0.05, -0.055, -0.0245}
	wantV := []float64{0.00025, 0.00124975, 0.00131100025}
	for i, g := range grads {
		p.Grad.Data[0], p.Grad.Data[1] = g, 0
		opt.Step()
		if got := float64(p.Value.Data[0]); math.Abs(got-want[i]) > 1e-6 {
			t.Errorf("step %d: θ = %.9f, want %.9f", i+1, got, want[i])
		}
		if m, v := float64(opt.m[0].Data[0]), float64(opt.v[0].Data[0]); math.Abs(m-wantM[i]) > 1e-7 || math.Abs(v-wantV[i]) > 1e-9 {
			t.Errorf("step %d: m, v = %g, %g, want %g, %g", i+1, m, v, wantM[i], wantV[i])
		}
		if p.Value.Data[1] != -3 {
			t.Errorf("step %d: a parameter with zero gradient moved to %v", i+1, p.Value.Data[1])
		}
	}
	opt.Reset(0.01)
	if opt.t != 0 || opt.m[0].Data[0] != 0 || opt.v[0].Data[0] != 0 || opt.LR != 0.01 {
		t.Fatal("Reset left state behind")
	}
}

// TestAdamSolvesRegression trains a linear dense layer, 3 inputs to 2
// outputs, on y = x·W* + b* with Adam and MSE, and checks it recovers W* and
// b*: the optimiser, the tape and the layer working together.
func TestAdamSolvesRegression(t *testing.T) {
	wStar := []float32{1, -2, 0.5, 3, -1, 0.25}
	bStar := []float32{0.3, -0.7}
	r := newRNG(11)
	tp := newTape()
	layer := newDense(3, 2, actLinear)
	layer.init(&r)
	x, y := tp.Input(16, 3), tp.Input(16, 2)
	loss := tp.MSE(layer.Record(tp, x), y)
	opt := newAdam([]*Node{layer.W, layer.B}, 0.05)
	for step := 0; step < 1500; step++ {
		fill(&r, x.Value, -1, 1)
		for i := 0; i < 16; i++ {
			for j := 0; j < 2; j++ {
				s := bStar[j]
				for k := 0; k < 3; k++ {
					s += x.Value.Data[i*3+k] * wStar[k*2+j]
				}
				y.Value.Data[i*2+j] = s
			}
		}
		tp.Forward()
		tp.ZeroGrads()
		tp.Backward(loss)
		opt.Step()
	}
	if l := loss.Value.Data[0]; l > 1e-5 {
		t.Fatalf("loss after training %g, want < 1e-5", l)
	}
	for i, w := range wStar {
		if math.Abs(float64(layer.W.Value.Data[i]-w)) > 1e-2 {
			t.Errorf("W[%d] = %v, want %v", i, layer.W.Value.Data[i], w)
		}
	}
	for i, b := range bStar {
		if math.Abs(float64(layer.B.Value.Data[i]-b)) > 1e-2 {
			t.Errorf("b[%d] = %v, want %v", i, layer.B.Value.Data[i], b)
		}
	}
}

// TestAdamFlushesSubnormalMoments gives 37 parameters (a whole vector and a
// tail, for the vector kernels) one gradient and then zeros, as a dead ReLU
// unit's weights get, for 3,000 steps: the moments decay towards zero and
// must reach exactly zero, never lingering in the subnormal range where
// every operation on them is slow. Moments planted in the subnormal range
// are flushed by the next step.
func TestAdamFlushesSubnormalMoments(t *testing.T) {
	p := newParam(1, 37)
	opt := newAdam([]*Node{p}, 1e-3)
	for i := range p.Grad.Data {
		p.Grad.Data[i] = float32(i+1) * 1e-3
	}
	isSubnormal := func(x float32) bool { return x != 0 && math.Abs(float64(x)) < minNormal32 }
	for step := 0; step < 3000; step++ {
		opt.Step()
		clear(p.Grad.Data)
		for i := range p.Value.Data {
			if isSubnormal(opt.m[0].Data[i]) || isSubnormal(opt.v[0].Data[i]) {
				t.Fatalf("step %d: parameter %d has subnormal moments m %g, v %g", step, i, opt.m[0].Data[i], opt.v[0].Data[i])
			}
		}
	}
	for i := range p.Value.Data {
		if opt.m[0].Data[i] != 0 {
			t.Fatalf("after 3000 zero gradients m[%d] = %g, want 0", i, opt.m[0].Data[i])
		}
	}
	for i := range opt.m[0].Data {
		opt.m[0].Data[i] = -1e-40 // subnormal
		opt.v[0].Data[i] = 1e-41
	}
	opt.Step()
	for i := range p.Value.Data {
		if opt.m[0].Data[i] != 0 || opt.v[0].Data[i] != 0 {
			t.Fatalf("planted subnormal moments not flushed: m %g, v %g", opt.m[0].Data[i], opt.v[0].Data[i])
		}
	}
}
