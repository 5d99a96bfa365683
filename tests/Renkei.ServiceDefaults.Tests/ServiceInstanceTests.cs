using System.Net;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>One of several instances behind a balancer names itself on every response (<c>Renkei:Instance</c>); a bad name stops the service.</summary>
public sealed class ServiceInstanceTests
{
    private static Task<ServiceHost> StartAsync(string? instance) => ServiceHost.StartAsync("probe", _ => { }, _ => { },
        new ServiceHostOptions(0) { Settings = instance is null ? null : new Dictionary<string, string?> { [ServiceInstance.Setting] = instance } });

    [Fact]
    public async Task Every_response_names_the_instance_that_answered()
    {
        await using var named = await StartAsync("net-a");
        using var http = new HttpClient { BaseAddress = named.BaseAddress };
        foreach (var path in new[] { "health/live", "no-such-route" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal("net-a", Assert.Single(response.Headers.GetValues(ServiceInstance.Header)));
        }

        await using var alone = await StartAsync(null);
        using var plain = new HttpClient { BaseAddress = alone.BaseAddress };
        using var answer = await plain.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.False(answer.Headers.Contains(ServiceInstance.Header));
    }

    [Theory]
    [InlineData("Net A")]
    [InlineData("-a")]
    [InlineData("an-instance-name-longer-than-32-chars")]
    public async Task A_malformed_name_stops_the_service_naming_the_setting_not_the_value(string name)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(name));

        Assert.StartsWith(ServiceInstance.Setting + ":", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(name, refused.Message, StringComparison.Ordinal);
    }
}
