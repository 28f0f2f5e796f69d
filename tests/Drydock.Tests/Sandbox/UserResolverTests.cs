using System.Runtime.Versioning;
using Drydock.Sandbox;

namespace Drydock.Tests.Sandbox;

[SupportedOSPlatform("linux")]
public sealed class UserResolverTests : IDisposable
{
    private readonly BusyboxRootfs _rootfs = new();

    public void Dispose() => _rootfs.Dispose();

    [Theory]
    [InlineData("", 0u, 0u, new uint[0])]
    [InlineData("root", 0u, 0u, new uint[0])]
    [InlineData("app", 1000u, 1000u, new uint[] { 2000 })]
    [InlineData("1000", 1000u, 1000u, new uint[] { 2000 })]
    [InlineData("1000:2000", 1000u, 2000u, new uint[0])]
    [InlineData("app:extra", 1000u, 2000u, new uint[0])]
    [InlineData("app:2000", 1000u, 2000u, new uint[0])]
    [InlineData("1000:extra", 1000u, 2000u, new uint[0])]
    [InlineData("app:4242", 1000u, 4242u, new uint[0])]
    [InlineData("4242", 4242u, 0u, new uint[0])]
    [InlineData("4242:4343", 4242u, 4343u, new uint[0])]
    [InlineData(":2000", 0u, 2000u, new uint[0])]
    public void Resolves_like_docker(string spec, uint uid, uint gid, uint[] groups)
    {
        Assert.Equal(new RunUserView(uid, gid, groups), View(UserResolver.Resolve(_rootfs.Path, spec)));
    }

    [Fact]
    public void Root_memberships_count_for_an_empty_user()
    {
        File.AppendAllText(_rootfs.Combine("etc/group"), "wheel:x:10:root,app\n");
        Assert.Equal(new RunUserView(0, 0, [10]), View(UserResolver.Resolve(_rootfs.Path, "")));
        Assert.Equal(new RunUserView(1000, 1000, [2000, 10]), View(UserResolver.Resolve(_rootfs.Path, "app")));
    }

    [Theory]
    [InlineData("", "/root")]
    [InlineData("root", "/root")]
    [InlineData("app", "/home/app")]
    [InlineData("1000", "/home/app")]
    [InlineData("app:extra", "/home/app")]
    [InlineData("4242", "/")]
    [InlineData("4242:2000", "/")]
    public void Home_is_the_passwd_entry_s_else_slash(string spec, string home)
    {
        Assert.Equal(home, UserResolver.Resolve(_rootfs.Path, spec).Home);
    }

    [Fact]
    public void Without_passwd_root_s_home_is_slash()
    {
        File.Delete(_rootfs.Combine("etc/passwd"));
        Assert.Equal("/", UserResolver.Resolve(_rootfs.Path, "").Home);
    }

    [Fact]
    public void Users_and_groups_are_found_by_name_alone()
    {
        Assert.Equal((1000u, 1000u), UserResolver.FindUser(_rootfs.Path, "app"));
        Assert.Null(UserResolver.FindUser(_rootfs.Path, "1000"));
        Assert.Equal(2000u, UserResolver.FindGroup(_rootfs.Path, "extra"));
        Assert.Null(UserResolver.FindGroup(_rootfs.Path, "2000"));
    }

    [Fact]
    public void Unknown_user_name_is_a_clear_error()
    {
        var error = Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "nobody"));
        Assert.Equal("unable to find user nobody: no matching entries in passwd file", error.Message);
    }

    [Fact]
    public void Unknown_group_name_is_a_clear_error()
    {
        var error = Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "app:staff"));
        Assert.Equal("unable to find group staff: no matching entries in group file", error.Message);
    }

    [Fact]
    public void Ids_out_of_range_are_refused()
    {
        Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "2147483648"));
        Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "0:99999999999"));
    }

    [Fact]
    public void Without_passwd_and_group_files_only_numbers_work()
    {
        File.Delete(_rootfs.Combine("etc/passwd"));
        File.Delete(_rootfs.Combine("etc/group"));
        Assert.Equal(new RunUserView(0, 0, []), View(UserResolver.Resolve(_rootfs.Path, "")));
        Assert.Equal(new RunUserView(1000, 0, []), View(UserResolver.Resolve(_rootfs.Path, "1000")));
        Assert.Equal(new RunUserView(1000, 5, []), View(UserResolver.Resolve(_rootfs.Path, "1000:5")));
        Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "app"));
        Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "0:extra"));
    }

    [Fact]
    public void Comments_blank_and_malformed_lines_are_skipped()
    {
        File.WriteAllText(_rootfs.Combine("etc/passwd"), "# users\n\nbroken:x:notanumber:0::/:/bin/sh\nshort:x\nweb:x:33:33::/var/www:/bin/sh\n");
        Assert.Equal(new RunUserView(33, 33, []), View(UserResolver.Resolve(_rootfs.Path, "web")));
        Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "broken"));
    }

    [Fact]
    public void First_matching_entry_wins_and_numeric_names_match_by_uid()
    {
        File.AppendAllText(_rootfs.Combine("etc/passwd"), "app:x:1001:1001::/:/bin/sh\nalias:x:1000:3000::/:/bin/sh\n");
        Assert.Equal(1000u, UserResolver.Resolve(_rootfs.Path, "app").Uid);
        Assert.Equal(new RunUserView(1000, 1000, [2000]), View(UserResolver.Resolve(_rootfs.Path, "1000")));
    }

    [Fact]
    public void Passwd_is_read_inside_the_rootfs_even_through_an_escaping_link()
    {
        var outside = Directory.CreateTempSubdirectory("drydock-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "passwd"), "ghost:x:4444:4444::/:/bin/sh\n");
            Directory.CreateDirectory(_rootfs.Combine(outside));
            File.WriteAllText(_rootfs.Combine(outside + "/passwd"), "inside:x:5555:5555::/:/bin/sh\n");
            File.Delete(_rootfs.Combine("etc/passwd"));
            File.CreateSymbolicLink(_rootfs.Combine("etc/passwd"), "../../../../../.." + outside + "/passwd");

            Assert.Equal(5555u, UserResolver.Resolve(_rootfs.Path, "inside").Uid);
            Assert.Throws<SandboxException>(() => UserResolver.Resolve(_rootfs.Path, "ghost"));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    private static RunUserView View(RunUser user) => new(user.Uid, user.Gid, [.. user.SupplementaryGroups]);

    // RunUser's list compares by reference; this view compares by content.
    private sealed record RunUserView(uint Uid, uint Gid, uint[] Groups)
    {
        public bool Equals(RunUserView? other)
            => other is not null && Uid == other.Uid && Gid == other.Gid && Groups.SequenceEqual(other.Groups);

        public override int GetHashCode() => HashCode.Combine(Uid, Gid, Groups.Length);

        public override string ToString() => $"{Uid}:{Gid} [{string.Join(',', Groups)}]";
    }
}
