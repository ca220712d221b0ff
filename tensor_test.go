package main

import (
	"fmt"
	"math"
	"testing"
)

// matMulShapes are (n, k, m) triples around the kernels' edges: single
// elements, odd sizes that leave partial tiles, sizes either side of a
// 64-element block, a prime-ish shape, and the study's own shapes.
var matMulShapes = [][3]int{
	{1, 1, 1}, {1, 7, 1}, {2, 4, 4}, {3, 5, 7}, {5, 3, 9},
	{2, 63, 4}, {4, 64, 8}, {3, 65, 5}, {63, 64, 65}, {65, 63, 64},
	{17, 129, 33}, {33, 257, 129}, {1, 300, 17},
	{32, 256, 256}, {32, 256, 128}, {32, 128, 256}, {32, 256, 1}, {32, 256, 255},
}

// randomTensor returns a rows x cols tensor of values uniform in [-1, 1).
func randomTensor(r *rng, rows, cols int) *Tensor {
	t := newTensor(rows, cols)
	for i := range t.Data {
		t.Data[i] = 2*r.float32() - 1
	}
	return t
}

// guarded returns a rows x cols tensor whose storage sits inside a larger
// slice filled with NaN, so that a kernel writing outside its destination
// leaves a mark checkGuards finds. The tensor's own elements are set to v.
func guarded(rows, cols int, v float32) (*Tensor, []float32) {
	const pad = 17
	buf := make([]float32, rows*cols+2*pad)
	for i := range buf {
		buf[i] = float32(math.NaN())
	}
	t := &Tensor{Rows: rows, Cols: cols, Data: buf[pad : pad+rows*cols : pad+rows*cols]}
	for i := range t.Data {
		t.Data[i] = v
	}
	return t, buf
}

// checkGuards fails the test if the NaN padding around a guarded tensor changed.
func checkGuards(t *testing.T, name string, buf []float32, n int) {
	t.Helper()
	const pad = 17
	for i := 0; i < pad; i++ {
		if !math.IsNaN(float64(buf[i])) || !math.IsNaN(float64(buf[pad+n+i])) {
			t.Fatalf("%s: wrote outside its destination", name)
		}
	}
}

// firstDifference returns the first index at which a and b, of one length,
// hold different bits, or -1.
func firstDifference(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// firstDifferenceUnlessFused is firstDifference where plain Go rounds
// a·b + c twice. Where it fuses them (GOAMD64=v3), two routes to one value
// may fuse different pairs and round differently, so it returns the first
// index whose values differ by more than 1e-5 of their magnitude (or 1e-5
// near 0), or -1.
func firstDifferenceUnlessFused(a, b []float32) int {
	if !plainGoFusesMultiplyAdd() {
		return firstDifference(a, b)
	}
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.Abs(x-y) > 1e-5*max(1, math.Abs(x), math.Abs(y)) || math.IsNaN(x) != math.IsNaN(y) {
			return i
		}
	}
	return -1
}

// clone returns a copy of t.
func clone(t *Tensor) *Tensor {
	c := newTensor(t.Rows, t.Cols)
	copy(c.Data, t.Data)
	return c
}

// equalData reports whether a and b hold bit-identical values.
func equalData(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// compareClose fails the test unless got and want agree within a relative
// tolerance scaled by the sum of |terms| behind each element (k terms of
// magnitude up to 1, so float32 rounding grows with k); it prints the first
// differences and the largest.
func compareClose(t *testing.T, name string, got, want []float32, k int) {
	t.Helper()
	tol := 1e-6 * float64(k+1) * 4
	worst, bad := 0.0, 0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > worst {
			worst = d
		}
		if !(d <= tol) {
			if bad < 3 {
				t.Errorf("%s: element %d = %v, want %v", name, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d of %d elements differ; largest difference %g (tolerance %g)", name, bad, len(want), worst, tol)
	}
}

// productShapes returns the operand shapes of the three products at
// (n, k, m), k the inner dimension in each: a (n,k)·b (k,m), aᵀ·b with
// a (k,n), b (k,m), and a·bᵀ with a (n,k), b (m,k); dst is (n,m) in all.
func productShapes(n, k, m int) (ab, atb, abt [2][2]int) {
	return [2][2]int{{n, k}, {k, m}}, [2][2]int{{k, n}, {k, m}}, [2][2]int{{n, k}, {m, k}}
}

// TestMatMulFormsAgainstReference checks the three blocked products against
// their triple-loop references, writing and accumulating, on every shape in
// matMulShapes, with NaN guards around the destination and the operands
// checked unchanged.
func TestMatMulFormsAgainstReference(t *testing.T) {
	r := newRNG(1)
	for _, s := range matMulShapes {
		n, k, m := s[0], s[1], s[2]
		ab, atb, abt := productShapes(n, k, m)
		forms := []struct {
			name        string
			a, b        [2]int // operand shapes; dst is (n,m)
			fast, naive func(dst, a, b *Tensor, accumulate bool)
		}{
			{"matMul", ab[0], ab[1], matMul, matMulNaive},
			{"matMulTransA", atb[0], atb[1], matMulTransA, matMulTransANaive},
			{"matMulTransB", abt[0], abt[1], matMulTransB, matMulTransBNaive},
		}
		for _, f := range forms {
			for _, acc := range []bool{false, true} {
				name := fmt.Sprintf("%s n=%d k=%d m=%d accumulate=%v", f.name, n, k, m, acc)
				a := randomTensor(&r, f.a[0], f.a[1])
				b := randomTensor(&r, f.b[0], f.b[1])
				a0, b0 := clone(a), clone(b)
				start := float32(0.25)
				dst, buf := guarded(n, m, start)
				want := newTensor(n, m)
				for i := range want.Data {
					want.Data[i] = start
				}
				f.naive(want, a, b, acc)
				f.fast(dst, a, b, acc)
				checkGuards(t, name, buf, len(dst.Data))
				if !equalData(a.Data, a0.Data) || !equalData(b.Data, b0.Data) {
					t.Fatalf("%s: modified an operand", name)
				}
				compareClose(t, name, dst.Data, want.Data, k)
			}
		}
	}
}

// TestMatMulNaiveByHand pins the reference itself to a product worked by hand.
func TestMatMulNaiveByHand(t *testing.T) {
	a := &Tensor{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	b := &Tensor{Rows: 3, Cols: 2, Data: []float32{7, 8, 9, 10, 11, 12}}
	got := newTensor(2, 2)
	matMulNaive(got, a, b, false)
	// [1 2 3]·[7 9 11]ᵀ = 58, [1 2 3]·[8 10 12]ᵀ = 64, [4 5 6]·… = 139, 154
	if want := []float32{58, 64, 139, 154}; !equalData(got.Data, want) {
		t.Fatalf("matMulNaive = %v, want %v", got.Data, want)
	}
	at := newTensor(3, 2) // aᵀ·a' where a' is 2x2: check the transposed forms by identities
	matMulTransANaive(at, a, &Tensor{Rows: 2, Cols: 2, Data: []float32{1, 0, 0, 1}}, false)
	if want := []float32{1, 4, 2, 5, 3, 6}; !equalData(at.Data, want) {
		t.Fatalf("matMulTransANaive(a, I) = %v, want aᵀ = %v", at.Data, want)
	}
	bt := newTensor(2, 3)
	matMulTransBNaive(bt, &Tensor{Rows: 2, Cols: 2, Data: []float32{1, 0, 0, 1}}, at, false)
	if want := []float32{1, 2, 3, 4, 5, 6}; !equalData(bt.Data, want) {
		t.Fatalf("matMulTransBNaive(I, aᵀ) = %v, want a = %v", bt.Data, want)
	}
}

// TestMatMulPanicsOnShapeMismatch checks the panic names the op and the shapes.
func TestMatMulPanicsOnShapeMismatch(t *testing.T) {
	defer func() {
		msg := fmt.Sprint(recover())
		if msg != "matMul: (3,4)·(5,2) -> (3,2) shape mismatch" {
			t.Fatalf("panic message %q", msg)
		}
	}()
	matMul(newTensor(3, 2), newTensor(3, 4), newTensor(5, 2), false)
}

// TestElementwiseKernels checks each element-wise kernel on small values
// worked by hand.
func TestElementwiseKernels(t *testing.T) {
	a := &Tensor{Rows: 2, Cols: 2, Data: []float32{1, 2, 3, 4}}
	b := &Tensor{Rows: 2, Cols: 2, Data: []float32{10, 20, 30, 40}}
	d := newTensor(2, 2)
	addTensors(d, a, b)
	if !equalData(d.Data, []float32{11, 22, 33, 44}) {
		t.Errorf("addTensors = %v", d.Data)
	}
	mulTensors(d, a, b)
	if !equalData(d.Data, []float32{10, 40, 90, 160}) {
		t.Errorf("mulTensors = %v", d.Data)
	}
	mulAccumulate(d, a, a)
	if !equalData(d.Data, []float32{11, 44, 99, 176}) {
		t.Errorf("mulAccumulate = %v", d.Data)
	}
	accumulate(d, a)
	if !equalData(d.Data, []float32{12, 46, 102, 180}) {
		t.Errorf("accumulate = %v", d.Data)
	}
	bias := &Tensor{Rows: 1, Cols: 2, Data: []float32{-1, 1}}
	addBias(d, a, bias)
	if !equalData(d.Data, []float32{0, 3, 2, 5}) {
		t.Errorf("addBias = %v", d.Data)
	}
	db := &Tensor{Rows: 1, Cols: 2, Data: []float32{100, 200}}
	sumRowsAccumulate(db, a, true)
	if !equalData(db.Data, []float32{104, 206}) {
		t.Errorf("sumRowsAccumulate = %v", db.Data)
	}
	c := newTensor(2, 4)
	concatCols(c, a, b)
	if !equalData(c.Data, []float32{1, 2, 10, 20, 3, 4, 30, 40}) {
		t.Errorf("concatCols = %v", c.Data)
	}
	da, dbb := newTensor(2, 2), newTensor(2, 2)
	splitColsAccumulate(da, dbb, c)
	if !equalData(da.Data, a.Data) || !equalData(dbb.Data, b.Data) {
		t.Errorf("splitColsAccumulate = %v, %v", da.Data, dbb.Data)
	}
}

// TestActivationsNeverNaN feeds every activation huge, infinite and
// subnormal inputs: the outputs stay finite (or ±Inf for the unbounded ones
// at ±Inf) and in range, never NaN, and so do the derivatives.
func TestActivationsNeverNaN(t *testing.T) {
	inputs := []float32{0, 1e-40, -1e-40, 1, -1, 20, -20, 88, -88, 89, -89, 1e5, -1e5, 3e38, -3e38,
		float32(math.Inf(1)), float32(math.Inf(-1))}
	x := &Tensor{Rows: 1, Cols: len(inputs), Data: inputs}
	for act, name := range activationNames {
		y := newTensor(1, len(inputs))
		activationForward(activation(act), y, x)
		dx := newTensor(1, len(inputs))
		ones := newTensor(1, len(inputs))
		for i := range ones.Data {
			ones.Data[i] = 1
		}
		activationBackward(activation(act), dx, ones, y, true)
		for i, v := range y.Data {
			if math.IsNaN(float64(v)) || math.IsNaN(float64(dx.Data[i])) {
				t.Errorf("%s(%g) = %g, derivative %g", name, inputs[i], v, dx.Data[i])
			}
			switch activation(act) {
			case actTanh:
				if v < -1 || v > 1 {
					t.Errorf("tanh(%g) = %g out of [-1, 1]", inputs[i], v)
				}
			case actSigmoid:
				if v < 0 || v > 1 {
					t.Errorf("sigmoid(%g) = %g out of [0, 1]", inputs[i], v)
				}
			}
		}
	}
}

// TestActivationValues checks each activation and its derivative at a few
// points against float64 formulas.
func TestActivationValues(t *testing.T) {
	xs := []float32{-3, -0.5, 0.25, 2}
	want := map[activation]func(x float64) (y, dy float64){
		actLinear: func(x float64) (float64, float64) { return x, 1 },
		actReLU: func(x float64) (float64, float64) {
			if x > 0 {
				return x, 1
			}
			return 0, 0
		},
		actTanh: func(x float64) (float64, float64) { y := math.Tanh(x); return y, 1 - y*y },
		actSigmoid: func(x float64) (float64, float64) {
			y := 1 / (1 + math.Exp(-x))
			return y, y * (1 - y)
		},
		actSELU: func(x float64) (float64, float64) {
			if x > 0 {
				return seluScale * x, seluScale
			}
			return seluScale * seluAlpha * (math.Exp(x) - 1), seluScale * seluAlpha * math.Exp(x)
		},
	}
	x := &Tensor{Rows: 1, Cols: len(xs), Data: xs}
	for act, f := range want {
		y, dx, ones := newTensor(1, len(xs)), newTensor(1, len(xs)), newTensor(1, len(xs))
		for i := range ones.Data {
			ones.Data[i] = 1
		}
		activationForward(act, y, x)
		activationBackward(act, dx, ones, y, true)
		for i, xv := range xs {
			wy, wd := f(float64(xv))
			if math.Abs(float64(y.Data[i])-wy) > 1e-5 || math.Abs(float64(dx.Data[i])-wd) > 1e-5 {
				t.Errorf("%s(%g) = %g, %g; want %g, %g", activationNames[act], xv, y.Data[i], dx.Data[i], wy, wd)
			}
		}
	}
}

// TestRNG checks the generator's ranges and that its streams depend on all
// of their seed words.
func TestRNG(t *testing.T) {
	r := newRNG(7, 8)
	for i := 0; i < 100000; i++ {
		if f := r.float32(); f < 0 || f >= 1 {
			t.Fatalf("float32() = %v", f)
		}
		if n := r.intn(7); n < 0 || n >= 7 {
			t.Fatalf("intn(7) = %d", n)
		}
	}
	a, b, c := newRNG(1, 2), newRNG(1, 2), newRNG(2, 1)
	if a.next() != b.next() {
		t.Fatal("same seed words gave different streams")
	}
	if x, y := newRNG(1, 2), c; x.next() == y.next() {
		t.Fatal("swapped seed words gave the same stream")
	}
}

// BenchmarkMatMul measures the three products of a dense layer with a batch
// of 32, 256 inputs and 256 outputs (the names' 32x256x256), blocked and
// reference, and reports GFLOP/s (2·32·256·256 flops per product): the
// forward x·W, (n,k,m) = (32,256,256); the weight gradient xᵀ·dy,
// (256,32,256); and the input gradient dy·Wᵀ, (32,256,256).
func BenchmarkMatMul(b *testing.B) {
	type form struct {
		name        string
		n, k, m     int // dst (n,m), k inner
		fast, naive func(dst, a, b *Tensor, accumulate bool)
		shape       int // which of productShapes' three
	}
	forms := []form{
		{"A·B/32x256x256", 32, 256, 256, matMul, matMulNaive, 0},
		{"AT·B/32x256x256", 256, 32, 256, matMulTransA, matMulTransANaive, 1},
		{"A·BT/32x256x256", 32, 256, 256, matMulTransB, matMulTransBNaive, 2},
	}
	r := newRNG(3)
	for _, f := range forms {
		ab, atb, abt := productShapes(f.n, f.k, f.m)
		s := [3][2][2]int{ab, atb, abt}[f.shape]
		a, bb, d := randomTensor(&r, s[0][0], s[0][1]), randomTensor(&r, s[1][0], s[1][1]), newTensor(f.n, f.m)
		for _, impl := range []struct {
			name string
			fn   func(dst, a, b *Tensor, accumulate bool)
		}{{"blocked", f.fast}, {"naive", f.naive}} {
			b.Run(f.name+"/"+impl.name, func(b *testing.B) {
				for b.Loop() {
					impl.fn(d, a, bb, false)
				}
				flops := 2 * float64(f.n) * float64(f.k) * float64(f.m)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// sparseTensor returns a rows x cols tensor whose elements are 0 except,
// with probability density, a value in [-1, 1) (or 1 when ones is set, as
// in many_hot).
func sparseTensor(r *rng, rows, cols int, density float64, ones bool) *Tensor {
	t := newTensor(rows, cols)
	for i := range t.Data {
		if r.float64() < density {
			t.Data[i] = 2*r.float32() - 1
			if ones {
				t.Data[i] = 1
			}
		}
	}
	return t
}

// TestSparseProductsAgainstReference checks the two products that skip the
// zeros of a against the dense references, on every shape in matMulShapes
// and at one_hot's, many_hot's and full density.
func TestSparseProductsAgainstReference(t *testing.T) {
	r := newRNG(8)
	for _, s := range matMulShapes {
		n, k, m := s[0], s[1], s[2]
		for _, density := range []float64{2.0 / 256, 0.5, 1} {
			for _, acc := range []bool{false, true} {
				a := sparseTensor(&r, n, k, density, density == 0.5)
				b := randomTensor(&r, k, m)
				bt := randomTensor(&r, n, m)
				a0 := clone(a)
				name := fmt.Sprintf("n=%d k=%d m=%d density=%.3f accumulate=%v", n, k, m, density, acc)

				dst, buf := guarded(n, m, 0.5)
				want := newTensor(n, m)
				for i := range want.Data {
					want.Data[i] = 0.5
				}
				matMulNaive(want, a, b, acc)
				matMulSparseA(dst, a, b, acc)
				checkGuards(t, "matMulSparseA "+name, buf, len(dst.Data))
				compareClose(t, "matMulSparseA "+name, dst.Data, want.Data, k)

				// aᵀ·bt: the same a, (n,k) here, so its n rows are the
				// inner dimension and dst is (k,m).
				dst, buf = guarded(k, m, 0.5)
				want = newTensor(k, m)
				for i := range want.Data {
					want.Data[i] = 0.5
				}
				matMulTransANaive(want, a, bt, acc)
				matMulTransASparseA(dst, a, bt, acc)
				checkGuards(t, "matMulTransASparseA "+name, buf, len(dst.Data))
				compareClose(t, "matMulTransASparseA "+name, dst.Data, want.Data, n)
				if !equalData(a.Data, a0.Data) {
					t.Fatalf("%s: modified an operand", name)
				}
			}
		}
	}
}

// BenchmarkMatMulSparse compares the zero-skipping products with the dense
// ones on a 32x256 left operand at one_hot's density (2 of 256) and
// many_hot's (half ones), times a 256x256 right operand: the first layer of
// a dense network, forward (A·B) and weight gradient (AT·B). GFLOP/s counts
// the dense work, 2·32·256·256, so the figures compare directly.
func BenchmarkMatMulSparse(b *testing.B) {
	r := newRNG(4)
	for _, c := range []struct {
		name    string
		density float64
	}{{"one_hot", 2.0 / 256}, {"many_hot", 0.5}} {
		a := sparseTensor(&r, 32, 256, c.density, true)
		w := randomTensor(&r, 256, 256)
		dy := randomTensor(&r, 32, 256)
		out, dw := newTensor(32, 256), newTensor(256, 256)
		for _, f := range []struct {
			name string
			fn   func()
		}{
			{"A·B/sparse", func() { matMulSparseA(out, a, w, false) }},
			{"A·B/dense", func() { matMul(out, a, w, false) }},
			{"AT·B/sparse", func() { matMulTransASparseA(dw, a, dy, false) }},
			{"AT·B/dense", func() { matMulTransA(dw, a, dy, false) }},
		} {
			b.Run(c.name+"/"+f.name, func(b *testing.B) {
				for b.Loop() {
					f.fn()
				}
				b.ReportMetric(2*32*256*256*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestExp32Accuracy bounds the float32 exponential and activations against
// float64 math over a dense sweep of inputs: exp32 within 4e-7 relative
// (a few units in the last place) on its whole normal range, tanh32 within
// 3e-7 absolute and 2e-6 relative, sigmoid32 within 3e-7 absolute.
func TestExp32Accuracy(t *testing.T) {
	var worstExp, worstTanhAbs, worstTanhRel, worstSig float64
	for x := float32(-87.3); x <= 88.7; x += 0.000731 {
		want := math.Exp(float64(x))
		worstExp = math.Max(worstExp, math.Abs(float64(exp32(x))-want)/want)
	}
	for x := float32(-12); x <= 12; x += 0.0000917 {
		want := math.Tanh(float64(x))
		got := float64(tanh32(x))
		worstTanhAbs = math.Max(worstTanhAbs, math.Abs(got-want))
		if want != 0 {
			worstTanhRel = math.Max(worstTanhRel, math.Abs(got-want)/math.Abs(want))
		}
		sig := 1 / (1 + math.Exp(-float64(x)))
		worstSig = math.Max(worstSig, math.Abs(float64(sigmoid32(x))-sig))
	}
	t.Logf("worst errors: exp32 %.3g relative; tanh32 %.3g absolute, %.3g relative; sigmoid32 %.3g absolute",
		worstExp, worstTanhAbs, worstTanhRel, worstSig)
	if worstExp > 4e-7 || worstTanhAbs > 3e-7 || worstTanhRel > 2e-6 || worstSig > 3e-7 {
		t.Fatalf("errors above bounds: exp32 %g, tanh32 %g / %g, sigmoid32 %g", worstExp, worstTanhAbs, worstTanhRel, worstSig)
	}
	if exp32(-100) != 0 || !math.IsInf(float64(exp32(100)), 1) || exp32(0) != 1 {
		t.Fatalf("exp32 edges: %v %v %v", exp32(-100), exp32(100), exp32(0))
	}
	if x := float32(88.72); math.IsInf(float64(exp32(x)), 0) || math.Abs(float64(exp32(x))/math.Exp(float64(x))-1) > 4e-7 {
		t.Fatalf("exp32(88.72) = %v", exp32(88.72))
	}
}
