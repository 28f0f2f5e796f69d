using System.Globalization;
using Drydock.Sandbox;

namespace Drydock.Building.Copy;

/// <summary>
/// The owner COPY/ADD gives new files: 0:0 unless <c>--chown</c>. Names are looked up in the
/// image's own /etc/passwd and /etc/group; a user without a group gets the group of the same
/// number, as docker documents.
/// </summary>
internal readonly record struct CopyOwner(uint Uid, uint Gid)
{
    public static CopyOwner Resolve(string rootfs, string? chown)
    {
        if (string.IsNullOrEmpty(chown))
        {
            return new CopyOwner(0, 0);
        }

        var colon = chown.IndexOf(':');
        var user = colon < 0 ? chown : chown[..colon];
        var uid = UserResolver.Resolve(rootfs, user).Uid;
        if (colon < 0 || colon == chown.Length - 1)
        {
            return new CopyOwner(uid, uid);
        }

        var gid = UserResolver.Resolve(rootfs, $"{uid}:{chown[(colon + 1)..]}").Gid;
        return new CopyOwner(uid, gid);
    }

    /// <summary>
    /// The owner BuildKit's file operations give for a USER value (llb.WithUser, used by WORKDIR):
    /// a name takes the uid and gid of its passwd entry, 0:0 when it has none; a number (or "root")
    /// is the uid and the gid both, whatever passwd says; a group after ':' replaces the gid when
    /// it is a number or a name found in /etc/group. Nothing here fails: a user BuildKit cannot
    /// find owns nothing, and the next RUN reports the unknown user.
    /// </summary>
    public static CopyOwner ForUser(string rootfs, string? userSpec)
    {
        if (string.IsNullOrEmpty(userSpec))
        {
            return new CopyOwner(0, 0);
        }

        var parts = userSpec.Split(':', 2);
        var (uid, gid) = NumericId(parts[0]) is { } id
            ? (id, id)
            : UserResolver.FindUser(rootfs, parts[0]) ?? (0u, 0u);
        if (parts.Length == 2)
        {
            gid = NumericId(parts[1]) ?? UserResolver.FindGroup(rootfs, parts[1]) ?? gid;
        }

        return new CopyOwner(uid, gid);
    }

    // BuildKit reads "root" as 0 and anything else that is no 32-bit number as a name.
    private static uint? NumericId(string text) =>
        text == "root" ? 0
        : text.Length > 0 && text.All(char.IsAsciiDigit) && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id <= int.MaxValue ? id
        : null;
}
