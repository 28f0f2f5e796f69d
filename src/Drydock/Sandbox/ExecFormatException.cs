namespace Drydock.Sandbox;

/// <summary>
/// The kernel refused to execute the command's program (ENOEXEC): a binary for another CPU with no
/// binfmt emulator registered for it, or a script without <c>#!</c>.
/// </summary>
public sealed class ExecFormatException(string program)
    : Exception($"exec \"{program}\": exec format error")
{
    /// <summary>The program as the launcher tried to execute it.</summary>
    public string Program { get; } = program;
}
