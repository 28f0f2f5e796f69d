using System.Globalization;
using Drydock.Foundation.Paths;

namespace Drydock.Sandbox;

/// <summary>
/// Turns a USER value ("", "name", "uid", "name:group", "uid:gid", mixed) into numeric ids the way
/// Docker does (moby/sys/user GetExecUser), reading /etc/passwd and /etc/group inside the image:
/// <list type="bullet">
/// <item>a user name must have a passwd entry; a numeric uid needs none;</item>
/// <item>the gid is the explicit group, else the passwd entry's gid, else 0;</item>
/// <item>supplementary groups come from /etc/group membership, only when the user has a name and no
/// group was given explicitly (an empty USER means uid 0, so root's memberships count);</item>
/// <item>the home directory is the passwd entry's, else / (what runc gives HOME when the
/// environment sets none).</item>
/// </list>
/// </summary>
public static class UserResolver
{
    // Docker refuses ids it could not pass through every kernel and file-format interface.
    private const long MaxId = int.MaxValue;

    /// <exception cref="SandboxException">A name has no entry, or an id is out of range.</exception>
    public static RunUser Resolve(string rootfs, string userSpec)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        ArgumentNullException.ThrowIfNull(userSpec);

        var colon = userSpec.IndexOf(':', StringComparison.Ordinal);
        var userArg = colon < 0 ? userSpec : userSpec[..colon];
        var groupArg = colon < 0 ? "" : userSpec[(colon + 1)..];
        var uidArg = ParseId(userArg);
        var gidArg = ParseId(groupArg);

        var entry = ReadPasswd(rootfs).FirstOrDefault(e => userArg.Length == 0
            ? e.Uid == 0
            : e.Name == userArg || e.Uid == uidArg);
        string? name = entry?.Name;
        var home = entry?.Home ?? "/";
        uint uid;
        uint gid;
        if (entry is not null)
        {
            (uid, gid) = (entry.Uid, entry.Gid);
        }
        else if (userArg.Length == 0)
        {
            (uid, gid) = (0, 0);
        }
        else if (uidArg is { } numericUid)
        {
            (uid, gid) = (numericUid, 0);
        }
        else
        {
            throw new SandboxException($"unable to find user {userArg}: no matching entries in passwd file");
        }

        if (groupArg.Length > 0)
        {
            var group = ReadGroups(rootfs).FirstOrDefault(g => gidArg is { } numericGid ? g.Gid == numericGid : g.Name == groupArg);
            gid = group?.Gid ?? gidArg
                ?? throw new SandboxException($"unable to find group {groupArg}: no matching entries in group file");
            return new RunUser(uid, gid, []) { Home = home };
        }

        if (name is null)
        {
            return new RunUser(uid, gid, []) { Home = home };
        }

        var supplementary = ReadGroups(rootfs)
            .Where(g => g.Members.Contains(name))
            .Select(g => g.Gid)
            .Distinct()
            .ToArray();
        return new RunUser(uid, gid, supplementary) { Home = home };
    }

    /// <summary>The uid and gid of the passwd entry named <paramref name="name"/>, or null when there is none.</summary>
    public static (uint Uid, uint Gid)? FindUser(string rootfs, string name)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        return ReadPasswd(rootfs).FirstOrDefault(e => e.Name == name) is { } entry ? (entry.Uid, entry.Gid) : null;
    }

    /// <summary>The gid of the group named <paramref name="name"/>, or null when there is none.</summary>
    public static uint? FindGroup(string rootfs, string name)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        return ReadGroups(rootfs).FirstOrDefault(g => g.Name == name)?.Gid;
    }

    private static uint? ParseId(string text)
    {
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > MaxId)
        {
            throw new SandboxException($"user and group ids must be in the range 0-{MaxId}: {text}");
        }

        return (uint)value;
    }

    private sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

    private sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);

    // name:password:uid:gid:gecos:home:shell
    private static IEnumerable<PasswdEntry> ReadPasswd(string rootfs)
    {
        foreach (var fields in ReadDatabase(rootfs, "/etc/passwd"))
        {
            // A malformed id is skipped rather than read as 0, which would make the user root.
            if (fields.Length >= 4 && TryParseId(fields[2], out var uid) && TryParseId(fields[3], out var gid))
            {
                // A missing home field reads as empty, as moby/sys/user parses it.
                yield return new PasswdEntry(fields[0], uid, gid, fields.Length >= 6 ? fields[5] : "");
            }
        }
    }

    // name:password:gid:member,member
    private static IEnumerable<GroupEntry> ReadGroups(string rootfs)
    {
        foreach (var fields in ReadDatabase(rootfs, "/etc/group"))
        {
            if (fields.Length >= 3 && TryParseId(fields[2], out var gid))
            {
                var members = fields.Length >= 4
                    ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : [];
                yield return new GroupEntry(fields[0], gid, members);
            }
        }
    }

    private static bool TryParseId(string text, out uint id)
        => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id <= MaxId;

    private static IEnumerable<string[]> ReadDatabase(string rootfs, string imagePath)
    {
        // Resolved inside the rootfs: a link such as /etc/passwd -> /etc/../../host must stay in the image.
        var path = RootedPath.Resolve(rootfs, imagePath);
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                yield return line.Split(':');
            }
        }
    }
}
