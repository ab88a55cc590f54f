package cpu

import (
	"strings"
	"testing"
)

// TestChoose checks that NGS_CPU selects a supported tier, and that an
// unknown or unsupported value falls back to the best tier with an error.
func TestChoose(t *testing.T) {
	sup := []Tier{Generic, AVX2}
	for _, c := range []struct {
		env  string
		want Tier
		err  string
	}{
		{"", AVX2, ""},
		{"generic", Generic, ""},
		{" AVX2 ", AVX2, ""},
		{"avx512", AVX2, `NGS_CPU="avx512" is not a tier this CPU runs (generic, avx2); using avx2`},
		{"sse", AVX2, "not a tier"},
	} {
		got, err := choose(c.env, sup)
		if got != c.want {
			t.Errorf("NGS_CPU=%q: tier %v, want %v", c.env, got, c.want)
		}
		if (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("NGS_CPU=%q: error %v, want %q", c.env, err, c.err)
		}
	}
}

// TestSupported checks that the tier list starts at Generic, is increasing
// and contains the selected tier.
func TestSupported(t *testing.T) {
	s := Supported()
	if s[0] != Generic || Best() != s[len(s)-1] {
		t.Fatalf("Supported() = %v, Best() = %v", s, Best())
	}
	found := false
	for i, tier := range s {
		if i > 0 && tier <= s[i-1] {
			t.Errorf("Supported() = %v is not increasing", s)
		}
		found = found || tier == Selected()
	}
	if !found {
		t.Errorf("Selected() = %v is not in Supported() = %v", Selected(), s)
	}
	if Tier(9).String() != "Tier(9)" || AVX512.String() != "avx512" {
		t.Errorf("String: %q, %q", Tier(9).String(), AVX512.String())
	}
}
