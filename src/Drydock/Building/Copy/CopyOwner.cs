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
}
