package experiment

import (
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/runtime"
)

// TestParamTypesNameParameters checks that every typed parameter names a
// parameter its builtin has.
func TestParamTypesNameParameters(t *testing.T) {
	for name, types := range paramTypes {
		b, ok := runtime.Default.Builtin(name)
		if !ok {
			t.Errorf("paramTypes names the builtin %s, which is not registered", name)
			continue
		}
		for p, typ := range types {
			found := false
			for _, q := range b.Params {
				if q.Name == p {
					found = q.Type.String() == typ.String()
				}
			}
			if !found {
				t.Errorf("paramTypes names %s(%s), which %s does not have (or has untyped)", name, p, name)
			}
		}
	}
}

// TestTrainSchemaCoversSettings checks that every setting train reads is
// in its schema, so that the checker never refuses what train accepts.
func TestTrainSchemaCoversSettings(t *testing.T) {
	for name := range trainSettingNames {
		if _, ok := trainSchema.Setting(name); !ok {
			t.Errorf("train reads the setting %s, which trainSchema does not declare", name)
		}
	}
	b, _ := runtime.Default.Builtin("train")
	if b.Block != trainSchema {
		t.Error("train is registered without its block schema")
	}
	for _, kw := range []string{"network", "model"} {
		if d, ok := runtime.Default.Decl(kw); !ok || d.Block == nil {
			t.Errorf("%s is registered without its block schema", kw)
		}
	}
}

// TestRunTimeTypeCheck checks that a value the checker cannot see (a
// variable) is tested against the same type when the builtin runs.
func TestRunTimeTypeCheck(t *testing.T) {
	_, _, err := run(t, fig2Net+"f = \"many\"\nd = simulate(net, frames = f)")
	want := `simulate: frames must be a whole number ≥ 1, found "many"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}
