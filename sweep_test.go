package main

import (
	"testing"
)

// benchModel returns a model of spec at the benchmark's shapes (batch 32,
// inputs 2 x 128, output width 128) with random inputs and labels loaded.
func benchModel(tb testing.TB, spec NetworkSpec, data datasetKind) *model {
	m, err := newModel(spec, 128, 32)
	if err != nil {
		tb.Fatal(err)
	}
	m.net.Init(1)
	m.opt.Reset(1e-3)
	r := newRNG(2)
	for i := 0; i < 32; i++ {
		drawRecord(data, &r, m.a.Value.Row(i), m.b.Value.Row(i))
	}
	fill(&r, m.label.Value, -1, 1)
	return m
}

// BenchmarkTrainStep measures one full training step (forward, MSE loss,
// backward, Adam update) of every network at batch 32, inputs 2 x 128
// (random), output width 128, and reports steps/s. Run with -benchmem: a
// step allocates nothing.
func BenchmarkTrainStep(b *testing.B) {
	for _, spec := range networkSpecs() {
		b.Run(spec.Name, func(b *testing.B) {
			m := benchModel(b, spec, random)
			m.step()
			b.ReportAllocs()
			for b.Loop() {
				m.step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// TestTrainStepAllocatesNothing checks the rule the benchmark shows: once a
// model exists, a training step allocates zero bytes, for every network.
func TestTrainStepAllocatesNothing(t *testing.T) {
	for _, spec := range networkSpecs() {
		m := benchModel(t, spec, random)
		if allocs := testing.AllocsPerRun(3, func() { m.step() }); allocs != 0 {
			t.Errorf("%s: %v allocations per step", spec.Name, allocs)
		}
	}
}
