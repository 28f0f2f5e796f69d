namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Directories that live as long as the test run (base image layouts, shared build outputs). They
/// sit in one folder per run, named by the process id and deleted when the process exits; since
/// the test host may be stopped before its exit handlers finish, each run also deletes the folders
/// of earlier runs whose process is gone.
/// </summary>
public static class RunScratch
{
    private const string Prefix = "drydock-test-run-";
    private static readonly Lazy<string> Root = new(Create);

    public static TempDirectory NewDirectory(string prefix) => new(prefix, Root.Value);

    private static string Create()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(folder)[Prefix.Length..], out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                TempDirectory.Delete(folder);
            }
        }

        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), Prefix + Environment.ProcessId)).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TempDirectory.Delete(root);
        return root;
    }
}
