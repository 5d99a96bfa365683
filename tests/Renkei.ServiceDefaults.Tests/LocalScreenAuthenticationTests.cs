using System.Net;
using Microsoft.AspNetCore.Http;
using Renkei.ServiceDefaults.Access;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>A local-screen route (a kiosk's touch page) answers the device's own browser only: loopback and same origin.</summary>
public sealed class LocalScreenAuthenticationTests
{
    private static HttpContext Request(string remote, string? site = null, string? origin = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 5080);
        if (site is not null) context.Request.Headers["Sec-Fetch-Site"] = site;
        if (origin is not null) context.Request.Headers.Origin = origin;
        return context;
    }

    [Theory]
    [InlineData("127.0.0.1", null, null, true)]
    [InlineData("::1", "same-origin", "http://127.0.0.1:5080", true)]
    [InlineData("127.0.0.1", "none", null, true)]
    [InlineData("192.0.2.10", null, null, false)]
    [InlineData("192.0.2.10", "same-origin", "http://127.0.0.1:5080", false)]
    [InlineData("127.0.0.1", "cross-site", "http://attacker.example", false)]
    [InlineData("127.0.0.1", "same-site", "http://127.0.0.1:5081", false)]
    [InlineData("127.0.0.1", null, "http://127.0.0.1:5081", false)]
    [InlineData("127.0.0.1", null, "https://127.0.0.1:5080", false)]
    public void Only_the_devices_own_page_is_the_local_screen(string remote, string? site, string? origin, bool expected) =>
        Assert.Equal(expected, LocalScreenAuthentication.IsLocalScreen(Request(remote, site, origin)));
}
