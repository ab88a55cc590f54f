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

// TestTrainSchemaCoversSettings checks that train's block reader and its
// schema know the same settings and learning-rate groups, so that the
// checker never refuses what train accepts and train stores every setting
// the checker accepts.
func TestTrainSchemaCoversSettings(t *testing.T) {
	for name := range trainSetters {
		if _, ok := trainSchema.Setting(name); !ok {
			t.Errorf("train reads the setting %s, which trainSchema does not declare", name)
		}
	}
	for _, name := range trainSchema.SettingNames() {
		if trainSetters[name] == nil {
			t.Errorf("trainSchema declares the setting %s, which train does not store", name)
		}
	}
	targets := (&trainSettings{}).lrTargets()
	for _, name := range lrSchema.SettingNames() {
		if targets[name] == nil {
			t.Errorf("lrSchema declares the group %s, which train does not store", name)
		}
	}
	if len(targets) != len(lrSchema.Settings) {
		t.Errorf("train stores %d learning-rate groups, lrSchema declares %d", len(targets), len(lrSchema.Settings))
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

// trainBase is a small network, its data and a model for train-block tests.
const trainBase = `
seed 11
network net {
    neurons = 8
    type A { c = 1; s = 1; g = 10 }
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * tanh(u[j])
    W = cauchy()
    u0 = normal(0, 5)
}
d = simulate(net, frames = 200, burnin = 0)
model m { psi = mlp(u[j], hidden = 8); phi = mlp(u[i], a[i], hidden = 8) }
`

// TestTrainBlockChecksAgainstSchema checks that train reads its block
// through trainSchema: a value the checker cannot see (a variable) gets,
// when train runs, the message the checker gives for the same literal.
func TestTrainBlockChecksAgainstSchema(t *testing.T) {
	for _, c := range []struct{ setting, value string }{
		{"batch", `"16"`}, {"ridge", "0.5"}, {"validation", "0.5"}, {"solver", `"altrnating"`},
		{"until", `"never"`}, {"lr_decay", "0"}, {"solve_grid", "4"}, {"epochs", "1.5"}, {"resume", "1"},
		{"phi_zero", `"x"`}, {"sparse_penalty", "1.5"}, {"sparse_penalty", "-0.1"},
	} {
		_, _, err := run(t, trainBase+"x = "+c.value+"\nf = train(m, d) { "+c.setting+" = x }\n")
		_, static := runtime.Compile("test.ngs", []byte(trainBase+"f = train(m, d) { "+c.setting+" = "+c.value+" }\n"), runtime.CompileOptions{})
		if err == nil || static == nil {
			t.Errorf("%s = %s: run error %v, check error %v; expected both", c.setting, c.value, err, static)
			continue
		}
		got, want := message(err), message(static)
		t.Logf("%s = %s: %s", c.setting, c.value, got)
		if got != want {
			t.Errorf("%s = %s: train says %q, the checker %q", c.setting, c.value, got, want)
		}
	}
	_, _, err := run(t, trainBase+"f = train(m, d) { own_term = true; sparse_penalty = 1e-3 }\n")
	if want := "sparse_penalty must be 0 with own_term"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("own_term with sparse_penalty: got %v, want %q", err, want)
	}
	_, _, err = run(t, trainBase+"x = 1e-3\nf = train(m, d) { lr { psi = x; W = -x } }\n")
	if want := "W must be a number ≥ 0, found -0.001"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("lr { W = -x }: got %v, want %q", err, want)
	}
}

// message is an error's text after its file:line:col position.
func message(err error) string {
	s := err.Error()
	if k := strings.Index(s, ": "); k >= 0 && strings.Count(s[:k], ":") == 2 {
		s = s[k+2:]
	}
	return strings.SplitN(s, "\n", 2)[0]
}

// TestTrainSeedDefaultsToScriptSeed checks that train without a seed
// setting takes the script's seed, and that a seed setting wins.
func TestTrainSeedDefaultsToScriptSeed(t *testing.T) {
	for _, c := range []struct {
		block string
		want  int64
	}{{"", 11}, {"seed = 5", 5}} {
		in, out, err := run(t, trainBase+"f = train(m, d) { epochs = 1; steps = 2; batch = 4; warmup = 1; "+c.block+" }\n")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if got := global(t, in, "f").(*Fit).Seed; got != c.want {
			t.Errorf("train { %s }: seed %d, expected %d", c.block, got, c.want)
		}
	}
}
