using System.Net;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Http;

namespace WasmWizard.Api.Tests.Http;

public sealed class AddressBudgetTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void PartitionOf_GroupsAnIpv6ClientByItsPrefix(string address, string partition) =>
        Assert.Equal(partition, AddressBudget.PartitionOf(IPAddress.Parse(address)));

    [Fact]
    public void TrySpend_AddressesInOnePrefix_ShareOneBudget()
    {
        using var budget = new AddressBudget(Options.Create(new ApiOptions { AnonymousBurst = 2, AnonymousRequestsPerMinute = 1 }));
        var first = AddressBudget.PartitionOf(IPAddress.Parse("2001:db8:1:2::1"));
        var second = AddressBudget.PartitionOf(IPAddress.Parse("2001:db8:1:2::2"));
        var elsewhere = AddressBudget.PartitionOf(IPAddress.Parse("2001:db8:1:3::1"));

        Assert.Null(budget.TrySpend(first));
        Assert.Null(budget.TrySpend(second));
        Assert.False(budget.IsSpent(elsewhere));

        Assert.True(budget.IsSpent(first));
        Assert.NotNull(budget.TrySpend(second));
        Assert.Null(budget.TrySpend(elsewhere));
    }
}
