namespace Drydock.Dockerfile;

/// <summary>The argument-count errors BuildKit reports, each with the instruction's usage as the hint.</summary>
internal static class Usage
{
    private static readonly Dictionary<string, string> Forms = new(StringComparer.Ordinal)
    {
        [Keywords.Add] = "ADD [--chown=<user>] [--chmod=<mode>] [--link] [--checksum=<digest>] <src>... <dest>",
        [Keywords.Arg] = "ARG <name>[=<default value>] ...",
        [Keywords.Cmd] = "CMD [\"executable\", \"param\"] or CMD command param",
        [Keywords.Copy] = "COPY [--from=<stage>] [--chown=<user>] [--chmod=<mode>] [--link] <src>... <dest>",
        [Keywords.Entrypoint] = "ENTRYPOINT [\"executable\", \"param\"] or ENTRYPOINT command param",
        [Keywords.Env] = "ENV <key>=<value> ...",
        [Keywords.Expose] = "EXPOSE <port>[/<protocol>] ...",
        [Keywords.From] = "FROM [--platform=<platform>] <image> [AS <name>]",
        [Keywords.Healthcheck] = "HEALTHCHECK [--interval=<duration>] ... CMD <command>, or HEALTHCHECK NONE",
        [Keywords.Label] = "LABEL <key>=<value> ...",
        [Keywords.Maintainer] = "MAINTAINER <name> (deprecated: use LABEL maintainer=<name>)",
        [Keywords.Onbuild] = "ONBUILD <INSTRUCTION>",
        [Keywords.Run] = "RUN [\"executable\", \"param\"] or RUN command param",
        [Keywords.Shell] = "SHELL [\"executable\", \"parameters\"]",
        [Keywords.StopSignal] = "STOPSIGNAL <signal>",
        [Keywords.User] = "USER <user>[:<group>]",
        [Keywords.Volume] = "VOLUME [\"/data\"] or VOLUME /data ...",
        [Keywords.Workdir] = "WORKDIR <path>",
    };

    public static string Of(string keyword) => "usage: " + Forms[keyword];

    public static DockerfileException AtLeastOneArgument(string keyword) =>
        new($"{keyword.ToUpperInvariant()} requires at least one argument", Of(keyword));

    public static DockerfileException ExactlyOneArgument(string keyword) =>
        new($"{keyword.ToUpperInvariant()} requires exactly one argument", Of(keyword));

    public static DockerfileException NoDestination(string keyword) =>
        new($"{keyword.ToUpperInvariant()} requires at least two arguments, but only one was provided. Destination could not be determined",
            Of(keyword));
}
