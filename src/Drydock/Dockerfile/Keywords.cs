namespace Drydock.Dockerfile;

/// <summary>The instruction words BuildKit knows, in lower case as the AST stores them.</summary>
internal static class Keywords
{
    public const string Add = "add";
    public const string Arg = "arg";
    public const string Cmd = "cmd";
    public const string Copy = "copy";
    public const string Entrypoint = "entrypoint";
    public const string Env = "env";
    public const string Expose = "expose";
    public const string From = "from";
    public const string Healthcheck = "healthcheck";
    public const string Label = "label";
    public const string Maintainer = "maintainer";
    public const string Onbuild = "onbuild";
    public const string Run = "run";
    public const string Shell = "shell";
    public const string StopSignal = "stopsignal";
    public const string User = "user";
    public const string Volume = "volume";
    public const string Workdir = "workdir";

    public static readonly IReadOnlyList<string> All =
    [
        Add, Arg, Cmd, Copy, Entrypoint, Env, Expose, From, Healthcheck, Label, Maintainer, Onbuild, Run,
        Shell, StopSignal, User, Volume, Workdir,
    ];
}
