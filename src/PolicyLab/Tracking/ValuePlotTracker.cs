using System.Globalization;
using System.Net;
using System.Text;
using PolicyLab.Algorithms;
using PolicyLab.Training;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Tracking;

/// <summary>
/// <c>first_observation_value.html</c> (render=plots or full): for every update, the first episode of copy 0 in
/// that update's batch — the chosen action's probability, the rewards, the predicted value and the value target
/// per step — with a slider (and play button) over training, above a curve of the value predicted for the
/// batch's first observation. Plain HTML and inline JavaScript; it opens offline.
/// </summary>
public sealed class ValuePlotTracker : ITrainingObserver
{
    /// <summary>The page's file name.</summary>
    public const string FileName = "first_observation_value.html";

    /// <summary>At most this many batches are kept in the page (evenly thinned beyond).</summary>
    public const int MaxFrames = 300;

    /// <summary>Steps kept per batch.</summary>
    public const int MaxSteps = 1000;

    private readonly List<(int Update, long Step, ValueTrace Trace)> _frames = [];
    private TrainingRunContext? _run;
    private IValueProbe? _probe;

    /// <inheritdoc/>
    public void OnRunStarted(TrainingRunContext run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
        _probe = run.Algorithm as IValueProbe;
        if (_probe is null)
            run.Notify($"render=plots: {run.Log.Algorithm} has no value function to plot, so {FileName} is not written (actor-critic algorithms such as ppo and a2c have one).");
    }

    /// <inheritdoc/>
    public void OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_probe?.LatestTrace() is ValueTrace trace) _frames.Add((update.Iteration, update.Step, trace));
    }

    /// <inheritdoc/>
    public void OnRunFinished(TrainingStatus status, TrainingResult result)
    {
        if (_run is null || _probe is null || _frames.Count == 0) return;
        _run.Folder.WriteText(FileName, Render($"{_run.Log.Algorithm} on {_run.Log.Environment}, seed {_run.Log.Seed}", _frames));
    }

    /// <summary>The page for the given batches.</summary>
    public static string Render(string title, IReadOnlyList<(int Update, long Step, ValueTrace Trace)> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int stride = Math.Max(1, (frames.Count + MaxFrames - 1) / MaxFrames);
        var kept = frames.Where((_, i) => i % stride == 0 || i == frames.Count - 1).ToList();
        var json = new StringBuilder("[");
        for (int k = 0; k < kept.Count; k++)
        {
            (int update, long step, ValueTrace t) = kept[k];
            if (k > 0) json.Append(",\n");
            json.Append(CultureInfo.InvariantCulture, $"{{\"update\":{update},\"step\":{step},\"ended\":{(t.EpisodeEnded ? "true" : "false")},");
            Array("value", t.Values);
            json.Append(',');
            Array("target", t.Targets);
            json.Append(',');
            Array("reward", t.Rewards);
            json.Append(',');
            Array("prob", t.ActionProbabilities);
            json.Append('}');
        }
        json.Append(']');

        void Array(string name, float[] values)
        {
            json.Append('"').Append(name).Append("\":[");
            for (int i = 0; i < Math.Min(values.Length, MaxSteps); i++)
            {
                if (i > 0) json.Append(',');
                float v = values[i];
                json.Append(float.IsFinite(v) ? v.ToString("G5", CultureInfo.InvariantCulture) : "null");
            }
            json.Append(']');
        }

        bool continuous = frames[0].Trace.Continuous;
        string probabilityLabel = continuous ? "density of the chosen action" : "probability of the chosen action";
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Value of the first observation — {{WebUtility.HtmlEncode(title)}}</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; margin: 20px auto; max-width: 980px; color: #222; }
            .controls { display: flex; align-items: center; gap: 12px; margin: 10px 0; }
            input[type=range] { flex: 1; }
            svg text { font-size: 12px; }
            </style></head>
            <body>
            <h1 style="font-size:22px">Value of the first observation of each batch</h1>
            <p>{{WebUtility.HtmlEncode(title)}}. Each batch: the first episode of environment copy 0 (cut at the batch's end if it had not finished);
            the value predicted when the step was collected, the value target it was trained towards (λ-return), the reward and the {{probabilityLabel}}.</p>
            <div id="overview"></div>
            <div class="controls"><button id="play">▶ play</button><input id="slider" type="range" min="0" value="0" step="1"><span id="label"></span></div>
            <div id="panels"></div>
            <script>
            "use strict";
            const frames = {{json}};
            const probabilityLabel = {{System.Text.Json.JsonSerializer.Serialize(probabilityLabel)}};
            const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
            function fmt(v) { const a = Math.abs(v); return a >= 1000 ? +(v / 1000).toFixed(2) + 'k' : a >= 10 || v === 0 ? v.toFixed(0) : String(+v.toPrecision(3)); }
            function ticks(lo, hi, n) {
              const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
              const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw * 0.999);
              const out = [];
              for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.round(t / step) * step);
              return out;
            }
            function chart(title, xLabel, series, xs, marker) {
              const W = 960, H = 230, L = 64, R = 16, T = 28, B = 40;
              let lo = Infinity, hi = -Infinity, xmax = 1;
              for (const s of series) for (let i = 0; i < s.y.length; i++) { const v = s.y[i]; if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
              for (const s of series) xmax = Math.max(xmax, (xs || s.y.map((_, i) => i))[s.y.length - 1] || 1);
              if (!isFinite(lo)) { lo = 0; hi = 1; }
              if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
              const pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
              const px = x => L + x / xmax * (W - L - R), py = y => H - B - (y - lo) / (hi - lo) * (H - T - B);
              let out = `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/>`;
              out += `<text x="${L}" y="18" font-weight="bold">${title}</text>`;
              for (const y of ticks(lo, hi, 4)) out += `<line x1="${L}" x2="${W - R}" y1="${py(y)}" y2="${py(y)}" stroke="#e4e4e4"/><text x="${L - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`;
              for (const x of ticks(0, xmax, 6)) if (x <= xmax) out += `<text x="${px(x)}" y="${H - B + 16}" text-anchor="middle">${fmt(x)}</text>`;
              out += `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#444"/>`;
              out += `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text>`;
              series.forEach((s, k) => {
                const pts = s.y.map((v, i) => v === null ? '' : `${px(xs ? xs[i] : i).toFixed(1)},${py(v).toFixed(1)}`).filter(p => p).join(' ');
                out += `<polyline fill="none" stroke="${s.colour || colours[k]}" stroke-width="2" points="${pts}"/>`;
                const lx = W - R - (series.length - k) * 200;
                out += `<rect x="${lx}" y="9" width="14" height="8" fill="${s.colour || colours[k]}"/><text x="${lx + 18}" y="17">${s.name}</text>`;
              });
              if (marker !== undefined) out += `<line x1="${px(marker)}" x2="${px(marker)}" y1="${T}" y2="${H - B}" stroke="#d62728" stroke-dasharray="4 3"/>`;
              return out + '</svg>';
            }
            const slider = document.getElementById('slider');
            slider.max = String(frames.length - 1);
            function show(index) {
              const f = frames[index];
              document.getElementById('label').textContent = `update ${f.update} (${f.step.toLocaleString('en')} steps) — ${f.value.length} steps${f.ended ? '' : ', episode cut at the batch end'}`;
              document.getElementById('overview').innerHTML = chart('Value of the first observation, per batch', 'environment steps',
                [{ name: 'V(first observation)', y: frames.map(g => g.value[0]) }, { name: 'its target', y: frames.map(g => g.target[0]) }], frames.map(g => g.step), f.step);
              document.getElementById('panels').innerHTML =
                chart('Predicted value and value target', 'step of the episode', [{ name: 'value V(s)', y: f.value }, { name: 'value target', y: f.target }, { name: 'discrepancy', y: f.value.map((v, i) => v - f.target[i]), colour: '#999' }]) +
                chart('Reward', 'step of the episode', [{ name: 'reward', y: f.reward, colour: colours[2] }]) +
                chart(probabilityLabel[0].toUpperCase() + probabilityLabel.slice(1), 'step of the episode', [{ name: probabilityLabel, y: f.prob, colour: colours[3] }]);
            }
            slider.addEventListener('input', () => show(Number(slider.value)));
            let timer = null;
            document.getElementById('play').addEventListener('click', () => {
              if (timer) { clearInterval(timer); timer = null; return; }
              timer = setInterval(() => { slider.value = String((Number(slider.value) + 1) % frames.length); show(Number(slider.value)); }, 150);
            });
            slider.value = String(frames.length - 1);
            show(frames.length - 1);
            document.body.setAttribute('data-report-ready', String(frames.length));
            </script>
            </body></html>

            """;
    }

    /// <inheritdoc/>
    public void OnUpdate(TrainingStatus status) { }

    /// <inheritdoc/>
    public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

    /// <inheritdoc/>
    public void OnNotice(string message) { }
}
