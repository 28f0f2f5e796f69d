using System.Globalization;
using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary>
/// <c>HEALTHCHECK [--interval=…] [--timeout=…] [--start-period=…] [--start-interval=…] [--retries=…] CMD …</c>
/// or <c>HEALTHCHECK NONE</c>. Durations are Go durations in nanoseconds; 0 means "inherit the default".
/// </summary>
public sealed record HealthcheckInstruction : Instruction
{
    private const long Millisecond = 1_000_000;

    public override string Keyword => "HEALTHCHECK";

    /// <summary>
    /// The image config's test: <c>["NONE"]</c>, <c>["CMD", exec args…]</c> or
    /// <c>["CMD-SHELL", "shell text"]</c>.
    /// </summary>
    public required IReadOnlyList<string> Test { get; init; }

    public long IntervalNanoseconds { get; init; }

    public long TimeoutNanoseconds { get; init; }

    public long StartPeriodNanoseconds { get; init; }

    public long StartIntervalNanoseconds { get; init; }

    public int Retries { get; init; }

    /// <summary>True for <c>HEALTHCHECK NONE</c>, which disables an inherited health check.</summary>
    public bool IsNone => Test is ["NONE"];

    internal static HealthcheckInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(Keywords.Healthcheck);
        }
        var type = request.Args[0].ToUpperInvariant();
        var args = request.Args.Skip(1).ToList();
        if (type == "NONE")
        {
            // As in BuildKit, flags are not even looked at for NONE.
            if (args.Count != 0)
            {
                throw new DockerfileException("HEALTHCHECK NONE takes no arguments", Usage.Of(Keywords.Healthcheck));
            }
            return new HealthcheckInstruction { Location = request.Location, Original = request.Original, Test = ["NONE"] };
        }

        var flags = request.Flags;
        var interval = flags.String("interval");
        var timeout = flags.String("timeout");
        var startPeriod = flags.String("start-period");
        var startInterval = flags.String("start-interval");
        var retries = flags.String("retries");
        flags.Parse();

        if (type != "CMD")
        {
            throw new DockerfileException(
                $"Unknown type {GoStrings.Quote(type)} in HEALTHCHECK (try CMD)", Usage.Of(Keywords.Healthcheck));
        }
        if (args.Count == 0)
        {
            throw new DockerfileException("Missing command after HEALTHCHECK CMD", Usage.Of(Keywords.Healthcheck));
        }
        IReadOnlyList<string> test = request.IsJson ? ["CMD", .. args] : ["CMD-SHELL", string.Join(' ', args)];

        return new HealthcheckInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Test = test,
            IntervalNanoseconds = Duration(interval),
            TimeoutNanoseconds = Duration(timeout),
            StartPeriodNanoseconds = Duration(startPeriod),
            StartIntervalNanoseconds = Duration(startInterval),
            Retries = ParseRetries(retries.Value),
        };
    }

    private static long Duration(Flag flag)
    {
        if (flag.Value.Length == 0)
        {
            return 0;
        }
        long ns;
        try
        {
            ns = GoDuration.ParseNanoseconds(flag.Value);
        }
        catch (GoFormatException e)
        {
            throw new DockerfileException(e.Message, e.Hint);
        }

        if (ns != 0 && ns < Millisecond)
        {
            throw new DockerfileException(
                $"Interval {GoStrings.Quote(flag.Name)} cannot be less than 1ms",
                $"use 0 for the default or at least --{flag.Name}=1ms");
        }
        return ns;
    }

    // Go's strconv.ParseInt(value, 10, 32): an optional sign, ASCII digits, 32-bit range.
    private static int ParseRetries(string value)
    {
        if (value.Length == 0)
        {
            return 0;
        }
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var retries))
        {
            throw new DockerfileException(
                $"invalid --retries value {GoStrings.Quote(value)}", "use a whole number, e.g. --retries=3");
        }
        if (retries < 0)
        {
            throw new DockerfileException($"--retries cannot be negative ({retries})", "use 0 or more");
        }
        return retries;
    }
}
