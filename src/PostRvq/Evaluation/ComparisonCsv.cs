using System.Globalization;
using System.Text;
using PostRvq.IO;
using PostRvq.Metrics;

namespace PostRvq.Evaluation;

/// <summary>
/// Comparison rows as CSV: one header line, one line per row, invariant culture, numbers in round-trip form and
/// NaN for missing values. The last column, clip_metrics, holds each clip's "mel stft si_sdr snr" separated by
/// ';', so error bars survive a round trip. Fields with commas or quotes are quoted as in RFC 4180.
/// </summary>
public static class ComparisonCsv
{
    static readonly string[] Columns =
    [
        "method", "split", "target_kbps", "kbps", "codebooks", "latent_mse", "latent_snr_db", "latent_snr_std_db", "codebook_usage", "perplexity",
        "entropy_kbps", "mel", "stft", "si_sdr", "snr", "fit_seconds", "encode_seconds", "training_steps", "clip_metrics",
    ];

    public static string Header => string.Join(',', Columns);

    /// <summary>Writes the rows to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<ComparisonRow> rows) => AtomicFile.WriteAllText(path, ToCsv(rows));

    public static string ToCsv(IEnumerable<ComparisonRow> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var row in rows)
        {
            string[] fields =
            [
                Quote(row.Method), Quote(row.Split), Number(row.TargetKbps), Number(row.Kbps), row.Codebooks.ToString(CultureInfo.InvariantCulture),
                Number(row.LatentMse), Number(row.LatentSnrDb), Number(row.LatentSnrStandardizedDb), Number(row.CodebookUsage), Number(row.Perplexity), Number(row.EntropyKbps),
                Number(row.Mel), Number(row.Stft), Number(row.SiSdr), Number(row.Snr), Number(row.FitSeconds), Number(row.EncodeSeconds),
                row.TrainingSteps.ToString(CultureInfo.InvariantCulture),
                string.Join(';', row.Clips.Select(c => $"{Number(c.Mel)} {Number(c.Stft)} {Number(c.SiSdr)} {Number(c.Snr)}")),
            ];
            text.AppendJoin(',', fields).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Reads rows written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">Missing file, wrong header or a malformed line; the message names the file and line.</exception>
    public static IReadOnlyList<ComparisonRow> Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such results file");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
            throw new InvalidDataException($"{path}: not a comparison CSV (expected the header {Header})");
        var rows = new List<ComparisonRow>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                rows.Add(Parse(SplitFields(lines[i])));
            }
            catch (Exception e) when (e is FormatException or OverflowException or InvalidDataException)
            {
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    static ComparisonRow Parse(List<string> f)
    {
        if (f.Count != Columns.Length) throw new InvalidDataException($"expected {Columns.Length} fields, got {f.Count}");
        return new ComparisonRow
        {
            Method = f[0], Split = f[1], TargetKbps = Double(f[2]), Kbps = Double(f[3]), Codebooks = int.Parse(f[4], CultureInfo.InvariantCulture),
            LatentMse = Double(f[5]), LatentSnrDb = Double(f[6]), LatentSnrStandardizedDb = Double(f[7]), CodebookUsage = Double(f[8]),
            Perplexity = Double(f[9]), EntropyKbps = Double(f[10]), Mel = Double(f[11]), Stft = Double(f[12]), SiSdr = Double(f[13]), Snr = Double(f[14]),
            FitSeconds = Double(f[15]), EncodeSeconds = Double(f[16]), TrainingSteps = long.Parse(f[17], CultureInfo.InvariantCulture),
            Clips = [.. f[18].Split(';', StringSplitOptions.RemoveEmptyEntries).Select(ParseClip)],
        };
    }

    static AudioMetricValues ParseClip(string text)
    {
        var values = text.Split(' ');
        if (values.Length != 4) throw new InvalidDataException($"clip metrics '{text}' must be four numbers: mel stft si_sdr snr");
        return new AudioMetricValues(Double(values[0]), Double(values[1]), Double(values[2]), Double(values[3]));
    }

    static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static double Double(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : '"' + text.Replace("\"", "\"\"") + '"';

    static List<string> SplitFields(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') field.Append(line[++i]);
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(c);
        }
        if (quoted) throw new InvalidDataException("a quoted field is not closed");
        fields.Add(field.ToString());
        return fields;
    }
}
