using System.Diagnostics;
using System.Globalization;

namespace Drydock.Bench;

/// <summary>What one command did: its output, and GNU time's wall seconds and peak resident set.</summary>
internal sealed record TimedRun(string CommandLine, int ExitCode, string StandardOutput, string StandardError, double Seconds, long PeakRssKiB)
{
    public double PeakRssMiB => PeakRssKiB / 1024.0;

    /// <summary>Throws with the command's output unless it exited with 0: a failed build measures nothing.</summary>
    public TimedRun EnsureSuccess() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"{CommandLine}\nexited {ExitCode}\n--- stdout ---\n{Tail(StandardOutput)}\n--- stderr ---\n{Tail(StandardError)}");

    private static string Tail(string text) => text.Length <= 6000 ? text.TrimEnd() : "…" + text[^6000..].TrimEnd();
}

/// <summary>
/// Runs a command as its own process under GNU <c>/usr/bin/time</c>, which reports the wall time and
/// the largest resident set of the command or any process it waited for (ru_maxrss). Busybox's
/// <c>time</c> must not stand in: it reports ru_maxrss four times too large.
/// </summary>
internal static class TimedCommand
{
    private const string GnuTime = "/usr/bin/time";

    public static async Task<TimedRun> RunAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        if (!File.Exists(GnuTime))
        {
            throw new InvalidOperationException($"{GnuTime} is missing: install GNU time (apt-get install time)");
        }

        // GNU time's figures go to a file of their own, so the command's stderr stays its own.
        var figures = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(GnuTime) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            var args = arguments.ToArray();
            foreach (var argument in (string[])["-f", "%e %M", "-o", figures, fileName, .. args])
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{GnuTime} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var commandLine = string.Join(' ', new[] { fileName }.Concat(args));
            var (seconds, peakKiB) = ParseFigures(await File.ReadAllTextAsync(figures, cancellationToken).ConfigureAwait(false), commandLine);
            return new TimedRun(commandLine, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), seconds, peakKiB);
        }
        finally
        {
            File.Delete(figures);
        }
    }

    // The last line is "%e %M"; a command killed by a signal adds a line before it.
    private static (double Seconds, long PeakKiB) ParseFigures(string text, string commandLine)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var parts = line.Split(' ');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var peak)
            ? (seconds, peak)
            : throw new InvalidOperationException($"{GnuTime} wrote no figures for {commandLine}: '{text.Trim()}'");
    }
}
