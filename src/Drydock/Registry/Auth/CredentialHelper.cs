using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Drydock.Registry.Errors;

namespace Drydock.Registry.Auth;

/// <summary>
/// One Docker credential helper (<c>docker-credential-NAME</c>), spoken to as Docker does: the
/// program is run with <c>get</c>, the server URL is written to its standard input, and it answers
/// <c>{"ServerURL","Username","Secret"}</c> on standard output, or fails saying the credentials
/// are not found. A <c>&lt;token&gt;</c> user name means the secret is an identity (refresh) token.
/// </summary>
internal sealed class CredentialHelper
{
    /// <summary>What helpers print when they hold nothing for the server (docker-credential-helpers' message).</summary>
    private const string NotFoundMessage = "credentials not found";

    private const string IdentityTokenUser = "<token>";

    /// <summary>Cloud helpers (ECR, GCR) may call an API; a helper that hangs must not hang the build.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private readonly string _searchPath;

    /// <param name="name">The part after <c>docker-credential-</c> (<c>ecr-login</c>, <c>gcloud</c>).</param>
    /// <param name="searchPath">Directories to look for the program in, as in PATH (the caller's environment's).</param>
    public CredentialHelper(string name, string searchPath)
    {
        Name = name;
        _searchPath = searchPath;
    }

    public string Name { get; }

    public string ProgramName => "docker-credential-" + Name;

    /// <summary>The helper's executable, or null when it is not installed on the search path.</summary>
    public string? Locate()
    {
        // A name with a slash would let a config file run any program; Docker's helpers never have one.
        if (Name.Length == 0 || Name.Contains('/'))
        {
            return null;
        }

        foreach (var directory in _searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, ProgramName);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Asks the helper at <paramref name="program"/> for a server's credentials; null when it has none.
    /// A failure names the helper and the server, and quotes only the helper's error output.
    /// </summary>
    public async Task<Credential?> GetAsync(string program, string serverUrl, CancellationToken cancellationToken)
    {
        var operation = $"getting credentials for {serverUrl} from {ProgramName}";
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("get");
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new RegistryException(operation, $"cannot run {program}: {e.Message}", innerException: e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        string stdout, stderr;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.WriteAsync(serverUrl.AsMemory(), timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited without reading the server URL: its exit code and output tell why.
            }

            stdout = await output.ConfigureAwait(false);
            stderr = await errors.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new RegistryException(operation, $"the helper did not answer within {Timeout.TotalSeconds:0} s", innerException: e);
        }

        if (process.ExitCode != 0)
        {
            // Helpers print their error on stdout (docker-credential-helpers) or stderr (others).
            if (stdout.Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase) || stderr.Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var said = FirstLine(stderr) ?? FirstLine(stdout);
            throw new RegistryException(operation, $"the helper exited with {process.ExitCode}" + (said is null ? "" : $": {said}"));
        }

        return Parse(stdout, operation);
    }

    private static Credential? Parse(string stdout, string operation)
    {
        CredentialHelperReply? reply;
        try
        {
            reply = JsonSerializer.Deserialize(stdout, AuthJson.Default.CredentialHelperReply);
        }
        catch (JsonException e)
        {
            // The message quotes a position, never the (secret-bearing) text.
            throw new RegistryException(operation, $"the helper's answer is not the expected JSON (line {e.LineNumber + 1})", innerException: e);
        }

        if (reply is null || string.IsNullOrEmpty(reply.Secret))
        {
            return null;
        }

        return reply.Username == IdentityTokenUser
            ? new Credential { IdentityToken = reply.Secret }
            : string.IsNullOrEmpty(reply.Username) ? null : Credential.Basic(reply.Username, reply.Secret);
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length > 200 ? line[..200] + "…" : line;
    }
}
