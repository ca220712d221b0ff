//go:build goexperiment.simd && amd64

package main

import (
	"fmt"
	"math"
	"simd/archsimd"
	"testing"
)

// simdShapes are the (n, k, m) triples the vector kernels are checked on:
// single elements and empty products; rows shorter than a vector (the
// plain-Go fallback); row lengths either side of a vector (8 or 16 lanes)
// and of a tile (32 or 64 columns), so that the right-edge windows skip
// every number of lanes; m%4 != 0 for matMulTransB's last tile; depths k
// above the outer-product block (256); an odd last row in every form; and
// the study's shape with narrow and ragged m.
var simdShapes = [][3]int{
	{1, 1, 1}, {3, 5, 7}, {2, 63, 4}, {4, 64, 8}, {3, 65, 5}, {63, 64, 65},
	{33, 257, 129}, {32, 256, 256}, {32, 256, 1}, {32, 256, 255}, {17, 129, 33},
	{1, 16, 64}, {5, 9, 31}, {2, 300, 17}, {300, 3, 70}, {7, 513, 40},
	{5, 3, 20}, {6, 5, 12}, {9, 6, 24}, {3, 7, 9}, {4, 10, 15}, {2, 11, 23},
	{0, 3, 4}, {2, 0, 3}, {2, 3, 0},
}

// simdKernelSet is one vector kernel set, a short name for test and
// benchmark names, and whether this CPU can run it.
type simdKernelSet struct {
	name string
	ok   bool
	kern kernelSet
}

// simdKernelSets lists the AVX-512 and the AVX2 kernel sets, best first.
func simdKernelSets() []simdKernelSet {
	return []simdKernelSet{
		{"AVX512", archsimd.X86.AVX512(), avx512Kernels},
		{"AVX2", archsimd.X86.AVX2() && archsimd.X86.FMA(), avx2Kernels},
	}
}

// simdForm is one product of a kernel set at a shape (n, k, m): dst (n,m),
// the operands' shapes (productShapes), the kernel and its naive reference.
type simdForm struct {
	name    string
	n, k, m int
	a, b    [2]int
	kernel  func(dst, a, b []float32, n, k, m int, add bool)
	naive   func(dst, a, b *Tensor, accumulate bool)
}

// simdForms returns the three products of set at shape (n, k, m).
func simdForms(set simdKernelSet, n, k, m int) []simdForm {
	ab, atb, abt := productShapes(n, k, m)
	return []simdForm{
		{"matMul", n, k, m, ab[0], ab[1], set.kern.matMul, matMulNaive},
		{"matMulTransA", n, k, m, atb[0], atb[1], set.kern.matMulTransA, matMulTransANaive},
		{"matMulTransB", n, k, m, abt[0], abt[1], set.kern.matMulTransB, matMulTransBNaive},
	}
}

// layerForms returns the three products of a dense layer with a batch of
// rows, in inputs and out outputs: the forward x·W at (rows, in, out), the
// weight gradient xᵀ·dy at (in, rows, out) and the input gradient dy·Wᵀ at
// (rows, out, in).
func layerForms(set simdKernelSet, rows, in, out int) []simdForm {
	return []simdForm{
		simdForms(set, rows, in, out)[0],
		simdForms(set, in, rows, out)[1],
		simdForms(set, rows, out, in)[2],
	}
}

// TestSIMDMatMulKernels checks each vector product kernel, AVX-512 and AVX2,
// against its naive reference on every shape in simdShapes: the kernel adds
// into a non-zero dst surrounded by NaN guards, and the operands must come
// back unchanged.
func TestSIMDMatMulKernels(t *testing.T) {
	r := newRNG(5)
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		for _, s := range simdShapes {
			n, k, m := s[0], s[1], s[2]
			for _, f := range simdForms(set, n, k, m) {
				name := fmt.Sprintf("%s %s n=%d k=%d m=%d", set.name, f.name, n, k, m)
				a := randomTensor(&r, f.a[0], f.a[1])
				b := randomTensor(&r, f.b[0], f.b[1])
				a0, b0 := clone(a), clone(b)
				dst, buf := guarded(n, m, 0)
				want := newTensor(n, m)
				for i := range dst.Data {
					v := 2*r.float32() - 1
					dst.Data[i], want.Data[i] = v, v
				}
				f.naive(want, a, b, true)
				f.kernel(dst.Data, a.Data, b.Data, n, k, m, true)
				checkGuards(t, name, buf, len(dst.Data))
				if !equalData(a.Data, a0.Data) || !equalData(b.Data, b0.Data) {
					t.Fatalf("%s: modified an operand", name)
				}
				compareClose(t, name, dst.Data, want.Data, k)
			}
		}
	}
}

// TestSIMDAdamKernels checks each vector Adam kernel against adamUpdateGo on
// lengths around a vector's 8 and 16 lanes, over three steps (so that m and
// v are non-zero), with NaN guards around every slice. The kernels do the
// same float32 operations in the same order, so in the default build they
// must agree bit for bit. Built with GOAMD64=v3 the compiler may fuse the
// plain-Go loop's multiply-adds; then they agree within 1e-6 of the values'
// scale (about 1), since m, a sum of terms of either sign, can lose relative
// precision.
func TestSIMDAdamKernels(t *testing.T) {
	exact := !goFusesMultiplyAdd()
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 100, 65536 + 3} {
			name := fmt.Sprintf("%s adam n=%d", set.name, n)
			r := newRNG(7, uint64(n))
			var got, want [4]*Tensor // theta, g, m, v
			var bufs [4][]float32
			for s := range got {
				got[s], bufs[s] = guarded(1, n, 0)
				want[s] = newTensor(1, n)
			}
			for i := 0; i < n; i++ {
				th := 2*r.float32() - 1
				got[0].Data[i], want[0].Data[i] = th, th
			}
			for step := 1; step <= 3; step++ {
				for i := 0; i < n; i++ {
					g := (2*r.float32() - 1) * float32(step)
					got[1].Data[i], want[1].Data[i] = g, g
				}
				bc1, bc2 := 1-math.Pow(adamBeta1, float64(step)), 1-math.Pow(adamBeta2, float64(step))
				stepSize, c2 := float32(1e-3/bc1), float32(1/math.Sqrt(bc2))
				adamUpdateGo(want[0].Data, want[1].Data, want[2].Data, want[3].Data, stepSize, c2)
				set.kern.adamUpdate(got[0].Data, got[1].Data, got[2].Data, got[3].Data, stepSize, c2)
				for s, what := range []string{"theta", "g", "m", "v"} {
					checkGuards(t, name+" "+what, bufs[s], n)
					for i := range want[s].Data {
						x, y := float64(got[s].Data[i]), float64(want[s].Data[i])
						if exact && x != y || !(math.Abs(x-y) <= 1e-6*(math.Abs(y)+1)) {
							t.Fatalf("%s step %d: %s[%d] = %v, want %v", name, step, what, i, x, y)
						}
					}
				}
			}
		}
	}
}

// fmaProbe holds a, b, c with a·b + c = -2⁻²⁶ exactly, but 0 when a·b is
// rounded to float32 (to 1) before the sum. A variable, so that the compiler
// cannot fold it.
var fmaProbe = [3]float32{1 + 0x1p-13, 1 - 0x1p-13, -1}

// mulAdd32 returns a·b + c as plain Go computes it. Not inlined: with its
// operands in registers the compiler fuses it wherever it would fuse such
// code in a kernel (a multiply whose operand it reads from memory, as an
// inlined probe would, is not fused).
//
//go:noinline
func mulAdd32(a, b, c float32) float32 { return a*b + c }

// goFusesMultiplyAdd reports whether this build's plain-Go float32 code
// fuses a·b + c into one rounding (amd64 does with GOAMD64=v3 or above).
func goFusesMultiplyAdd() bool {
	return mulAdd32(fmaProbe[0], fmaProbe[1], fmaProbe[2]) != 0
}

// TestSIMDKernelsAllocateNothing checks that no vector kernel allocates.
func TestSIMDKernelsAllocateNothing(t *testing.T) {
	r := newRNG(9)
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		for _, f := range simdForms(set, 33, 65, 70) {
			a, b := randomTensor(&r, f.a[0], f.a[1]), randomTensor(&r, f.b[0], f.b[1])
			d := newTensor(f.n, f.m)
			allocs := testing.AllocsPerRun(5, func() { f.kernel(d.Data, a.Data, b.Data, f.n, f.k, f.m, false) })
			if allocs != 0 {
				t.Errorf("%s %s: %v allocations per call", set.name, f.name, allocs)
			}
		}
		x := make([]float32, 100)
		if allocs := testing.AllocsPerRun(5, func() { set.kern.adamUpdate(x, x, x, x, 1e-3, 1) }); allocs != 0 {
			t.Errorf("%s adam: %v allocations per call", set.name, allocs)
		}
		y, dx := make([]float32, 100), make([]float32, 100)
		for act, name := range activationNames {
			if allocs := testing.AllocsPerRun(5, func() {
				set.kern.activationForward(activation(act), y, x)
				set.kern.activationBackward(activation(act), dx, x, y, true)
			}); allocs != 0 {
				t.Errorf("%s %s: %v allocations per forward and backward", set.name, name, allocs)
			}
		}
	}
}

// TestSIMDKernelsInstalled checks that init installed the kernel set of the
// best instruction set this CPU supports, whole, under its name.
func TestSIMDKernelsInstalled(t *testing.T) {
	same := func(f, g any) bool { return fmt.Sprintf("%p", f) == fmt.Sprintf("%p", g) }
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		if kernels.name != set.kern.name ||
			!same(kernels.matMul, set.kern.matMul) || !same(kernels.adamUpdate, set.kern.adamUpdate) ||
			kernels.sparseMinZeros != set.kern.sparseMinZeros {
			t.Fatalf("init did not install the %s kernels: %q installed", set.name, kernels.name)
		}
		return
	}
	if kernels.name != goKernels.name {
		t.Fatalf("no vector kernels for this CPU, yet %q installed", kernels.name)
	}
	t.Log("no vector kernels for this CPU")
}

// BenchmarkSIMDKernels measures the product kernels of both instruction
// sets on the products of a dense layer with a batch of 32, 256 inputs and
// 256 outputs (the names' 32x256x256; layerForms), in GFLOP/s
// (2·32·256·256 flops per product), and the Adam kernels against
// adamUpdateGo in ns per parameter.
func BenchmarkSIMDKernels(b *testing.B) {
	r := newRNG(3)
	const rows, in, out = 32, 256, 256
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		for _, f := range layerForms(set, rows, in, out) {
			a, bb := randomTensor(&r, f.a[0], f.a[1]), randomTensor(&r, f.b[0], f.b[1])
			d := newTensor(f.n, f.m)
			b.Run(fmt.Sprintf("%s/%s/%dx%dx%d", set.name, f.name, rows, in, out), func(b *testing.B) {
				for b.Loop() {
					f.kernel(d.Data, a.Data, bb.Data, f.n, f.k, f.m, false)
				}
				b.ReportMetric(2*rows*in*out*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
	const params = 1 << 16
	x, g := make([]float32, params), make([]float32, params)
	mm, v := make([]float32, params), make([]float32, params)
	for i := range g {
		g[i] = 2*r.float32() - 1
	}
	type adamKernel struct {
		name string
		ok   bool
		fn   func(theta, g, m, v []float32, step, c2 float32)
	}
	adams := []adamKernel{{"Go", true, adamUpdateGo}}
	for _, set := range simdKernelSets() {
		adams = append(adams, adamKernel{set.name, set.ok, set.kern.adamUpdate})
	}
	for _, ad := range adams {
		if !ad.ok {
			continue
		}
		b.Run(fmt.Sprintf("%s/adam/%d", ad.name, params), func(b *testing.B) {
			for b.Loop() {
				ad.fn(x, g, mm, v, 1e-3, 1.5)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/params, "ns/param")
		})
	}
}

// simdExpSink keeps expLoop's result alive.
var simdExpSink float64

// expLoop sums math.Exp over xs: scalar float64 code, which Go compiles to
// legacy SSE instructions.
func expLoop(xs []float64) {
	s := 0.0
	for _, x := range xs {
		s += math.Exp(x)
	}
	simdExpSink = s
}

// BenchmarkSIMDUpperBits measures why every vector kernel ends with
// archsimd.ClearAVXUpperBits: 1000 math.Exp calls right after a small
// AVX-512 (or AVX2) product, once through the installed kernel, which
// clears the upper halves of the vector registers, and once through the
// driver's sumOuterProducts directly, which leaves them dirty.
func BenchmarkSIMDUpperBits(b *testing.B) {
	r := newRNG(4)
	a, bb, d := randomTensor(&r, 2, 16), randomTensor(&r, 16, 64), newTensor(2, 64)
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = r.float64()
	}
	vw, name := avx2, "AVX2"
	if archsimd.X86.AVX512() {
		vw, name = avx512, "AVX512"
	} else if !archsimd.X86.AVX2() || !archsimd.X86.FMA() {
		b.Skip("no vector kernels for this CPU")
	}
	b.Run(name+"/cleared", func(b *testing.B) {
		for b.Loop() {
			kernels.matMul(d.Data, a.Data, bb.Data, 2, 16, 64, false)
			expLoop(xs)
		}
	})
	b.Run(name+"/dirty", func(b *testing.B) {
		for b.Loop() {
			vw.sumOuterProducts(d.Data, a.Data, bb.Data, 2, 16, 64, 16, 1, false)
			expLoop(xs)
		}
	})
}

// simdActivationLengths are the slice lengths the vector activations are
// checked on: shorter than a vector (the plain-Go fallback), either side of
// 8 and 16 lanes so that the last window skips every number of lanes, and a
// long ragged one.
var simdActivationLengths = []int{1, 7, 8, 9, 15, 16, 17, 100, 4096 + 3}

// activationTestInputs returns the inputs the vector activations are checked
// on: [-100, 100] in steps of about 0.007, [-1, 1] in steps of about 1e-4
// (tanh's polynomial branch below 0.25, SELU's e^x - 1 near 0), and the
// special values below, each scattered 20 times over random positions so
// that they land in every lane and in the edge windows: ±0, ±1e-40
// (subnormal), ±3e38, the largest float32, ±Inf, NaN, and a few floats
// either side of the branch points 0.25 and tanhBig and of ±expMin, ±expMax
// (sigmoid takes e^-x).
func activationTestInputs() []float32 {
	var xs []float32
	for x := float32(-100); x <= 100; x += 0.00731 {
		xs = append(xs, x)
	}
	for x := float32(-1); x <= 1; x += 0.0001017 {
		xs = append(xs, x)
	}
	specials := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 3e38, -3e38,
		math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for _, edge := range []float32{0.25, tanhBig, expMin, expMax} {
		for _, v := range []float32{edge, -edge} {
			b := math.Float32bits(v)
			for d := uint32(0); d <= 3; d++ {
				specials = append(specials, math.Float32frombits(b-d), math.Float32frombits(b+d))
			}
		}
	}
	r := newRNG(11)
	for _, v := range specials {
		for range 20 {
			xs[r.intn(len(xs))] = v
		}
	}
	return xs
}

// activationTolerance returns how far a vector activation's result may be
// from the plain-Go one: exactly equal for linear and relu (a copy, a
// selection and one addition, done identically), 3e-7 absolute for tanh and
// sigmoid, and 4e-7 relative for SELU, relative to max(|want|, 1) because
// its e^x - 1 has the absolute error of e^x near x = 0. The vector kernels
// do the plain-Go operations in the same order, so in a build whose plain
// Go does not fuse multiply-adds (the default) they must agree bit for bit;
// the tolerance is for a build that fuses them (GOAMD64=v3).
func activationTolerance(act activation, want float32) float64 {
	if !goFusesMultiplyAdd() {
		return 0
	}
	switch act {
	case actTanh, actSigmoid:
		return 3e-7
	case actSELU:
		return 4e-7 * math.Max(math.Abs(float64(want)), 1)
	}
	return 0
}

// activationMismatch reports whether got is too far from want: NaN must
// match NaN, an infinity the same infinity, and anything else lie within
// activationTolerance (with a zero tolerance, bit for bit).
func activationMismatch(act activation, got, want float32) bool {
	g, w := float64(got), float64(want)
	switch {
	case math.IsNaN(w) || math.IsNaN(g):
		return math.IsNaN(w) != math.IsNaN(g)
	case math.IsInf(w, 0) || math.IsInf(g, 0):
		return g != w
	}
	if tol := activationTolerance(act, want); tol > 0 {
		return !(math.Abs(g-w) <= tol)
	}
	return math.Float32bits(got) != math.Float32bits(want)
}

// TestSIMDActivationKernels checks every vector activation, forward and
// backward, AVX-512 and AVX2, against activationForwardGo and
// activationBackwardGo on each length in simdActivationLengths, walking the
// inputs of activationTestInputs a slice at a time. Every destination has
// NaN guards; the inputs must come back unchanged; the forward is also run
// in place (y aliasing x) and must give the same values; the backward adds
// into a non-zero dx, from the y the forward gives and random dy. Beyond
// tanhBig, tanh must be exactly ±1, as tanh32 is (a value 1 ulp below 1
// would pass the tolerance).
func TestSIMDActivationKernels(t *testing.T) {
	xs := activationTestInputs()
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		for act, actName := range activationNames {
			act := activation(act)
			exact, total := 0, 0
			for _, n := range simdActivationLengths {
				name := fmt.Sprintf("%s %s n=%d", set.name, actName, n)
				r := newRNG(13, uint64(n))
				x, want := newTensor(1, n), newTensor(1, n)
				y, ybuf := guarded(1, n, 0)
				inPlace, ipbuf := guarded(1, n, 0)
				dx, dxbuf := guarded(1, n, 0)
				dy, wantDx := randomTensor(&r, 1, n), newTensor(1, n)
				for s := 0; s < len(xs); s += n {
					for i := range x.Data { // the next n inputs, wrapping round at the end
						x.Data[i] = xs[(s+i)%len(xs)]
					}
					x0, dy0 := clone(x), clone(dy)
					activationForwardGo(act, want.Data, x.Data)
					set.kern.activationForward(act, y.Data, x.Data)
					copy(inPlace.Data, x.Data)
					set.kern.activationForward(act, inPlace.Data, inPlace.Data)
					checkGuards(t, name+" forward", ybuf, n)
					checkGuards(t, name+" forward in place", ipbuf, n)
					if !equalData(x.Data, x0.Data) {
						t.Fatalf("%s forward: modified x", name)
					}
					if i := firstDifference(inPlace.Data, y.Data); i >= 0 {
						t.Fatalf("%s forward: in place, element %d = %v; not in place %v", name, i, inPlace.Data[i], y.Data[i])
					}
					for i, w := range want.Data {
						if activationMismatch(act, y.Data[i], w) {
							t.Fatalf("%s forward: %s(%g) = %g, want %g", name, actName, x.Data[i], y.Data[i], w)
						}
						if ax := math.Abs(float64(x.Data[i])); act == actTanh && ax >= tanhBig && math.Abs(float64(y.Data[i])) != 1 {
							t.Fatalf("%s forward: tanh(%g) = %g, want exactly ±1", name, x.Data[i], y.Data[i])
						}
						total++
						if math.Float32bits(y.Data[i]) == math.Float32bits(w) {
							exact++
						}
					}

					// Backward, from the plain-Go forward's y.
					for i := range dx.Data {
						v := 2*r.float32() - 1
						dx.Data[i], wantDx.Data[i] = v, v
					}
					y0 := clone(want)
					activationBackwardGo(act, wantDx.Data, dy.Data, want.Data, true)
					set.kern.activationBackward(act, dx.Data, dy.Data, want.Data, true)
					checkGuards(t, name+" backward", dxbuf, n)
					if !equalData(dy.Data, dy0.Data) || !equalData(want.Data, y0.Data) {
						t.Fatalf("%s backward: modified dy or y", name)
					}
					for i, w := range wantDx.Data {
						if activationMismatch(act, dx.Data[i], w) {
							t.Fatalf("%s backward: at y = %g, dy = %g: dx = %g, want %g", name, want.Data[i], dy.Data[i], dx.Data[i], w)
						}
					}
				}
			}
			t.Logf("%s %s: %d of %d forward results bit-identical to the plain-Go ones", set.name, actName, exact, total)
		}
	}
}

// TestSIMDExp32 checks exp16 and exp8 against exp32 lane by lane, over
// [-100, 100] in steps of about 0.0007 and the special values of
// activationTestInputs: bit-identical in a build whose plain Go does not
// fuse multiply-adds (the default), else at most 2 units in the last place
// apart, and exactly 0, +Inf or NaN where exp32 gives those.
func TestSIMDExp32(t *testing.T) {
	xs := activationTestInputs()
	for x := float32(-100); x <= 100; x += 0.000731 {
		xs = append(xs, x)
	}
	for len(xs)%16 != 0 {
		xs = append(xs, 0)
	}
	type expKernel struct {
		name string
		ok   bool
		fn   func(dst, x []float32) // e^x of 16 floats
	}
	exps := []expKernel{
		{"AVX512", archsimd.X86.AVX512(), func(dst, x []float32) {
			storeF32x16((*[16]float32)(dst), exp16(loadF32x16((*[16]float32)(x))))
		}},
		{"AVX2", archsimd.X86.AVX2(), func(dst, x []float32) {
			storeF32x8((*[8]float32)(dst[:8]), exp8(loadF32x8((*[8]float32)(x[:8]))))
			storeF32x8((*[8]float32)(dst[8:]), exp8(loadF32x8((*[8]float32)(x[8:]))))
		}},
	}
	maxULPs := 0
	if goFusesMultiplyAdd() {
		maxULPs = 2
	}
	got := make([]float32, len(xs))
	for _, k := range exps {
		if !k.ok {
			continue
		}
		for i := 0; i < len(xs); i += 16 {
			k.fn(got[i:i+16], xs[i:i+16])
		}
		archsimd.ClearAVXUpperBits()
		worst, exact := 0, 0
		for i, x := range xs {
			want, g := exp32(x), got[i]
			w64, g64 := float64(want), float64(g)
			switch {
			case math.IsNaN(w64) || math.IsNaN(g64):
				if !math.IsNaN(w64) || !math.IsNaN(g64) {
					t.Fatalf("%s: exp(%g) = %g, exp32 gives %g", k.name, x, g, want)
				}
			case want == 0 || math.IsInf(w64, 1) || g == 0 || math.IsInf(g64, 1):
				if g != want {
					t.Fatalf("%s: exp(%g) = %g, exp32 gives %g", k.name, x, g, want)
				}
			default:
				ulps := int(math.Float32bits(g)) - int(math.Float32bits(want)) // both positive
				if ulps < -maxULPs || ulps > maxULPs {
					t.Fatalf("%s: exp(%g) = %g, exp32 gives %g (%d units in the last place)", k.name, x, g, want, ulps)
				}
				worst = max(worst, ulps, -ulps)
			}
			if math.Float32bits(g) == math.Float32bits(want) {
				exact++
			}
		}
		t.Logf("%s: %d of %d inputs bit-identical to exp32, worst %d ulps", k.name, exact, len(xs), worst)
	}
}

// BenchmarkActivations measures every activation, forward and backward, on
// a 32x256 batch (one hidden layer's output), plain Go against the vector
// kernels of each instruction set, in ns per element. The inputs are
// normal with standard deviation 2, so that tanh takes both of its branches
// and relu and selu both of theirs.
func BenchmarkActivations(b *testing.B) {
	const rows, cols = 32, 256
	r := newRNG(17)
	x, y, dx, dy := newTensor(rows, cols), newTensor(rows, cols), newTensor(rows, cols), newTensor(rows, cols)
	for i := range x.Data {
		x.Data[i] = float32(2 * r.normal())
		dy.Data[i] = 2*r.float32() - 1
	}
	type impl struct {
		name     string
		ok       bool
		forward  func(act activation, y, x []float32)
		backward func(act activation, dx, dy, y []float32, add bool)
	}
	sets := []impl{{"Go", true, activationForwardGo, activationBackwardGo}}
	for _, set := range simdKernelSets() {
		sets = append(sets, impl{set.name, set.ok, set.kern.activationForward, set.kern.activationBackward})
	}
	perElement := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*cols), "ns/elem")
	}
	for act, actName := range activationNames {
		act := activation(act)
		activationForwardGo(act, y.Data, x.Data)
		for _, k := range sets {
			if !k.ok {
				continue
			}
			b.Run(fmt.Sprintf("%s/forward/%s", actName, k.name), func(b *testing.B) {
				for b.Loop() {
					k.forward(act, y.Data, x.Data)
				}
				perElement(b)
			})
			b.Run(fmt.Sprintf("%s/backward/%s", actName, k.name), func(b *testing.B) {
				for b.Loop() {
					k.backward(act, dx.Data, dy.Data, y.Data, true)
				}
				perElement(b)
			})
		}
	}
}

// elementwiseKernel is one element-wise kernel of both forms, a plain-Go
// reference and a vector version, called on an (n,m) shape: dst is the
// slice written, a and b the inputs (b may be unused).
type elementwiseKernel struct {
	name    string
	dstRows int // 1 for sumRowsAccumulate's dst (m), else n
	run     func(dst, a, b []float32, n, m int)
}

// elementwiseKernels returns set's element-wise kernels, and the plain-Go
// ones, in the common form of elementwiseKernel.
func elementwiseKernels(set simdKernelSet) (vec, ref []elementwiseKernel) {
	pair := func(name string, dstRows int, v, r func(dst, a, b []float32, n, m int)) {
		vec = append(vec, elementwiseKernel{name, dstRows, v})
		ref = append(ref, elementwiseKernel{name, dstRows, r})
	}
	pair("accumulate", -1,
		func(d, a, _ []float32, _, _ int) { set.kern.accumulate(d, a) },
		func(d, a, _ []float32, _, _ int) { accumulateGo(d, a) })
	pair("mulTensors", -1,
		func(d, a, b []float32, _, _ int) { set.kern.mulTensors(d, a, b) },
		func(d, a, b []float32, _, _ int) { mulTensorsGo(d, a, b) })
	pair("mulAccumulate", -1,
		func(d, a, b []float32, _, _ int) { set.kern.mulAccumulate(d, a, b) },
		func(d, a, b []float32, _, _ int) { mulAccumulateGo(d, a, b) })
	pair("addBias", -1,
		func(d, a, b []float32, n, m int) { set.kern.addBias(d, a, b[:m], n, m) },
		func(d, a, b []float32, n, m int) { addBiasGo(d, a, b[:m], n, m) })
	pair("sumRowsAccumulate", 1,
		func(d, a, _ []float32, n, m int) { set.kern.sumRowsAccumulate(d, a, n, m) },
		func(d, a, _ []float32, n, m int) { sumRowsAccumulateGo(d, a, n, m) })
	return vec, ref
}

// TestSIMDElementwiseKernels checks each vector element-wise kernel,
// AVX-512 and AVX2, against its plain-Go version on shapes whose rows are
// shorter than, equal to and longer than a vector of 8 or 16, and on long
// ragged ones: the results must be bit-identical (the same float32
// operations in the same order), nothing may be written outside dst (NaN
// guards), the inputs must come back unchanged, and the kernels that allow
// it are also run in place (dst aliasing their first input).
func TestSIMDElementwiseKernels(t *testing.T) {
	shapes := [][2]int{{1, 1}, {1, 7}, {2, 8}, {3, 9}, {2, 15}, {4, 16}, {5, 17}, {3, 31}, {32, 256}, {3, 100}, {2, 4096 + 3}}
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		vec, ref := elementwiseKernels(set)
		for k := range vec {
			for _, s := range shapes {
				n, m := s[0], s[1]
				name := fmt.Sprintf("%s %s n=%d m=%d", set.name, vec[k].name, n, m)
				r := newRNG(19, uint64(n), uint64(m))
				a, b := randomTensor(&r, n, m), randomTensor(&r, n, m)
				a0, b0 := clone(a), clone(b)
				dRows := n
				if vec[k].dstRows == 1 {
					dRows = 1
				}
				got, buf := guarded(dRows, m, 0)
				want := randomTensor(&r, dRows, m)
				copy(got.Data, want.Data)
				ref[k].run(want.Data, a.Data, b.Data, n, m)
				vec[k].run(got.Data, a.Data, b.Data, n, m)
				checkGuards(t, name, buf, len(got.Data))
				if !equalData(a.Data, a0.Data) || !equalData(b.Data, b0.Data) {
					t.Fatalf("%s: modified an input", name)
				}
				if i := firstDifference(got.Data, want.Data); i >= 0 {
					t.Fatalf("%s: element %d = %v, want %v", name, i, got.Data[i], want.Data[i])
				}
				if dRows == 1 {
					continue // sumRowsAccumulate's dst cannot alias x
				}
				// In place: dst is a itself.
				ref[k].run(a0.Data, a0.Data, b.Data, n, m)
				vec[k].run(a.Data, a.Data, b.Data, n, m)
				if i := firstDifference(a.Data, a0.Data); i >= 0 {
					t.Fatalf("%s in place: element %d = %v, want %v", name, i, a.Data[i], a0.Data[i])
				}
			}
			d := make([]float32, 33*70)
			if allocs := testing.AllocsPerRun(5, func() { vec[k].run(d, d, d, 33, 70) }); allocs != 0 {
				t.Errorf("%s %s: %v allocations per call", set.name, vec[k].name, allocs)
			}
		}
	}
}

// BenchmarkElementwise measures the element-wise kernels at the study's
// shape, 32x256, plain Go against the vector kernels of each instruction
// set, in ns per element of x.
func BenchmarkElementwise(b *testing.B) {
	const n, m = 32, 256
	r := newRNG(23)
	x, y, d := randomTensor(&r, n, m), randomTensor(&r, n, m), randomTensor(&r, n, m)
	bench := func(impl string, kern elementwiseKernel) {
		b.Run(fmt.Sprintf("%s/%s/%dx%d", kern.name, impl, n, m), func(b *testing.B) {
			for b.Loop() {
				kern.run(d.Data, x.Data, y.Data, n, m)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(n*m), "ns/elem")
		})
	}
	_, ref := elementwiseKernels(simdKernelSet{})
	for k := range ref {
		bench("Go", ref[k])
		for _, set := range simdKernelSets() {
			if set.ok {
				vec, _ := elementwiseKernels(set)
				bench(set.name, vec[k])
			}
		}
	}
}

// TestSIMDSetModes checks the kernels' set mode (add unset) against
// clearing dst and adding, bit for bit: the three products on every shape
// in simdShapes, with dst full of garbage beforehand and operands that
// include pairs whose products underflow to -0 (where +0 + -0 and -0
// differ); activationBackward with add unset; and biasActivationForward
// against addBias followed by activationForward, in place and not.
func TestSIMDSetModes(t *testing.T) {
	r := newRNG(12)
	tiny := func(x *Tensor) { // every 7th element ±1e-23: products of two round to ±0
		for i := 0; i < len(x.Data); i += 7 {
			x.Data[i] = 1e-23 * float32(1-2*(i/7%2))
		}
	}
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		for _, s := range simdShapes {
			for _, f := range simdForms(set, s[0], s[1], s[2]) {
				name := fmt.Sprintf("%s %s n=%d k=%d m=%d", set.name, f.name, s[0], s[1], s[2])
				a, b := randomTensor(&r, f.a[0], f.a[1]), randomTensor(&r, f.b[0], f.b[1])
				tiny(a)
				tiny(b)
				want := newTensor(f.n, f.m)
				f.kernel(want.Data, a.Data, b.Data, f.n, f.k, f.m, true)
				got, buf := guarded(f.n, f.m, float32(math.NaN()))
				f.kernel(got.Data, a.Data, b.Data, f.n, f.k, f.m, false)
				checkGuards(t, name, buf, len(got.Data))
				if i := firstDifference(got.Data, want.Data); i >= 0 {
					t.Fatalf("%s: set gives element %d = %v, clear and add %v", name, i, got.Data[i], want.Data[i])
				}
			}
		}
		for _, n := range simdActivationLengths {
			x, bias := randomTensor(&r, 3, n), randomTensor(&r, 1, n)
			dy := randomTensor(&r, 3, n)
			tiny(dy)
			for act, actName := range activationNames {
				act := activation(act)
				name := fmt.Sprintf("%s %s n=%d", set.name, actName, n)
				want := newTensor(3, n)
				addBias(want, x, bias)
				set.kern.activationForward(act, want.Data, want.Data)
				got := newTensor(3, n)
				set.kern.biasActivationForward(act, got.Data, x.Data, bias.Data, 3, n)
				inPlace := clone(x)
				set.kern.biasActivationForward(act, inPlace.Data, inPlace.Data, bias.Data, 3, n)
				if i := firstDifferenceUnlessFused(got.Data, want.Data); i >= 0 {
					t.Fatalf("%s biasActivationForward: element %d = %v, addBias then forward %v", name, i, got.Data[i], want.Data[i])
				}
				if i := firstDifferenceUnlessFused(inPlace.Data, want.Data); i >= 0 {
					t.Fatalf("%s biasActivationForward in place: element %d = %v, want %v", name, i, inPlace.Data[i], want.Data[i])
				}
				wantDx := newTensor(3, n)
				set.kern.activationBackward(act, wantDx.Data, dy.Data, want.Data, true)
				dx, buf := guarded(3, n, float32(math.NaN()))
				set.kern.activationBackward(act, dx.Data, dy.Data, want.Data, false)
				checkGuards(t, name+" backward", buf, 3*n)
				if i := firstDifference(dx.Data, wantDx.Data); i >= 0 {
					t.Fatalf("%s backward: set gives element %d = %v, clear and add %v", name, i, dx.Data[i], wantDx.Data[i])
				}
			}
		}
	}
}

// TestSIMDProductKernels checks each vector set's NMU product kernels,
// AVX-512 and AVX2, against productFactorsGo and productGradsGo on rows
// shorter than, equal to and longer than a vector of 8 or 16: the results
// must be bit-identical (within 1e-5 where plain Go fuses multiply-adds),
// nothing may be written outside the rows (NaN guards), and productFactors
// is also run in place (d aliasing s), as productForward runs it.
func TestSIMDProductKernels(t *testing.T) {
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		for _, m := range []int{1, 7, 8, 9, 15, 16, 17, 31, 128, 129} {
			name := fmt.Sprintf("%s product m=%d", set.name, m)
			r := newRNG(29, uint64(m))
			s, w, d, after := randomTensor(&r, 1, m), randomTensor(&r, 1, m), randomTensor(&r, 1, m), randomTensor(&r, 1, m)
			const x = float32(-0.375)
			got, buf := guarded(1, m, 0)
			want := newTensor(1, m)
			set.kern.productFactors(got.Data, s.Data, w.Data, x)
			productFactorsGo(want.Data, s.Data, w.Data, x)
			checkGuards(t, name+" factors", buf, m)
			if i := firstDifferenceUnlessFused(got.Data, want.Data); i >= 0 {
				t.Fatalf("%s factors: d[%d] = %v, want %v", name, i, got.Data[i], want.Data[i])
			}
			inPlace, wantInPlace := clone(s), clone(s)
			set.kern.productFactors(inPlace.Data, inPlace.Data, w.Data, x)
			productFactorsGo(wantInPlace.Data, wantInPlace.Data, w.Data, x)
			if i := firstDifferenceUnlessFused(inPlace.Data, wantInPlace.Data); i >= 0 {
				t.Fatalf("%s factors in place: d[%d] = %v, want %v", name, i, inPlace.Data[i], wantInPlace.Data[i])
			}
			var gotRows, wantRows [3]*Tensor // dw, terms, p
			var bufs [3][]float32
			for k := range gotRows {
				gotRows[k], bufs[k] = guarded(1, m, 0)
				wantRows[k] = randomTensor(&r, 1, m)
				copy(gotRows[k].Data, wantRows[k].Data)
			}
			set.kern.productGrads(gotRows[0].Data, gotRows[1].Data, d.Data, gotRows[2].Data, after.Data, w.Data, x)
			productGradsGo(wantRows[0].Data, wantRows[1].Data, d.Data, wantRows[2].Data, after.Data, w.Data, x)
			for k, what := range []string{"dw", "terms", "p"} {
				checkGuards(t, name+" grads "+what, bufs[k], m)
				if i := firstDifferenceUnlessFused(gotRows[k].Data, wantRows[k].Data); i >= 0 {
					t.Fatalf("%s grads: %s[%d] = %v, want %v", name, what, i, gotRows[k].Data[i], wantRows[k].Data[i])
				}
			}
			if allocs := testing.AllocsPerRun(5, func() {
				set.kern.productGrads(gotRows[0].Data, gotRows[1].Data, d.Data, gotRows[2].Data, after.Data, w.Data, x)
				set.kern.productFactors(got.Data, s.Data, w.Data, x)
			}); allocs != 0 {
				t.Errorf("%s: %v allocations per call", name, allocs)
			}
		}
	}
}

// TestSIMDProductMatchesReference runs the NMU product's reference check
// (checkProductMatchesReference, units_test.go) with each vector set
// installed in turn, so that the AVX2 set is checked end to end on a CPU
// that also has AVX-512. It runs before the parallel tests, which never
// see the swap.
func TestSIMDProductMatchesReference(t *testing.T) {
	saved := kernels
	defer installKernels(saved)
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		installKernels(set.kern)
		checkProductMatchesReference(t)
	}
}
