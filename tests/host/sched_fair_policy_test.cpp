#include <gtest/gtest.h>
#include <sched/fair_policy.h>
#include <cmath>
#include <vector>

using sched::Entity;
using sched::FairPolicy;
using sched::SchedulingGroup;

namespace {

constexpr u64 slice = 1'000'000;

struct Simulation {
    FairPolicy policy;
    std::vector<SchedulingGroup> groups;
    std::vector<Entity> entities;

    // `entities_per_group[i]` CPU-bound entities in group i, with weight `weights[i]`.
    Simulation(std::vector<u32> weights, std::vector<int> entities_per_group)
        : groups(weights.size()), entities(count(entities_per_group)) {
        usize next = 0;
        for (usize g = 0; g < groups.size(); ++g) {
            groups[g].weight = weights[g];
            for (int e = 0; e < entities_per_group[g]; ++e) {
                entities[next].group = &groups[g];
                policy.enqueue(entities[next++], true);
            }
        }
    }
    ~Simulation() {
        while (policy.pick_next()) {
        }
    }

    static usize count(const std::vector<int>& values) {
        usize total = 0;
        for (int value : values) total += value;
        return total;
    }

    void run(int slices) {
        for (int i = 0; i < slices; ++i) {
            Entity* entity = policy.pick_next();
            ASSERT_NE(entity, nullptr);
            policy.charge(*entity, slice);
            policy.enqueue(*entity, false);
        }
    }

    double share(usize group) const {
        u64 total = 0;
        for (const auto& g : groups) total += g.runtime_nanoseconds;
        return double(groups[group].runtime_nanoseconds) / double(total);
    }
};

double jain_index(const std::vector<double>& values) {
    double sum = 0, squares = 0;
    for (double v : values) {
        sum += v;
        squares += v * v;
    }
    return sum * sum / (values.size() * squares);
}

}  // namespace

TEST(FairPolicy, EqualWeightsGetEqualShares) {
    Simulation simulation({100, 100, 100, 100}, {1, 1, 1, 1});
    simulation.run(4000);
    std::vector<double> shares;
    for (usize g = 0; g < 4; ++g) shares.push_back(simulation.share(g));
    EXPECT_GT(jain_index(shares), 0.999);
}

TEST(FairPolicy, WeightsGiveProportionalShares) {
    Simulation simulation({100, 200, 400}, {1, 1, 1});
    simulation.run(7000);
    EXPECT_NEAR(simulation.share(0), 1.0 / 7, 0.005);
    EXPECT_NEAR(simulation.share(1), 2.0 / 7, 0.005);
    EXPECT_NEAR(simulation.share(2), 4.0 / 7, 0.005);
}

TEST(FairPolicy, MoreEntitiesInAGroupDoNotBuyMoreCpu) {
    // Group 0 is a task whose thread also keeps its kernel worker busy: two entities, one share.
    Simulation simulation({100, 100}, {2, 1});
    simulation.run(2000);
    EXPECT_NEAR(simulation.share(0), 0.5, 0.01);
}

TEST(FairPolicy, SleepersDoNotBankCredit) {
    FairPolicy policy;
    SchedulingGroup busy, sleeper;
    Entity busy_entity{&busy, nullptr, {}}, sleeper_entity{&sleeper, nullptr, {}};
    policy.enqueue(busy_entity, true);
    // The busy group runs alone for 10 s while the other sleeps.
    for (int i = 0; i < 10000; ++i) {
        Entity* entity = policy.pick_next();
        policy.charge(*entity, slice);
        policy.enqueue(*entity, false);
    }
    policy.enqueue(sleeper_entity, true);
    // The sleeper may run first, but only for about wake_credit before the busy group is due.
    int sleeper_slices_in_a_row = 0;
    while (true) {
        Entity* entity = policy.pick_next();
        policy.charge(*entity, slice);
        policy.enqueue(*entity, false);
        if (entity != &sleeper_entity) break;
        ++sleeper_slices_in_a_row;
    }
    EXPECT_GE(sleeper_slices_in_a_row, 1);
    EXPECT_LE(u64(sleeper_slices_in_a_row) * slice, FairPolicy::wake_credit + slice);
    while (policy.pick_next()) {
    }
}

TEST(FairPolicy, AWokenGroupFarBehindPreemptsTheRunner) {
    FairPolicy policy;
    SchedulingGroup runner, waker;
    Entity running{&runner, nullptr, {}}, woken{&waker, nullptr, {}};
    policy.enqueue(running, true);
    Entity* picked = policy.pick_next();
    policy.charge(*picked, 50 * slice);
    policy.enqueue(woken, true);
    EXPECT_TRUE(policy.should_preempt(running, woken));
    EXPECT_FALSE(policy.should_preempt(running, running));
    while (policy.pick_next()) {
    }
}

TEST(FairPolicy, RemovingAQueuedEntityEmptiesItsGroup) {
    FairPolicy policy;
    SchedulingGroup group;
    Entity entity{&group, nullptr, {}};
    policy.enqueue(entity, true);
    EXPECT_TRUE(policy.has_runnable());
    policy.remove(entity);
    EXPECT_FALSE(policy.has_runnable());
    EXPECT_EQ(policy.pick_next(), nullptr);
}

// A thread being killed must run promptly, however far behind its group is in virtual time.
TEST(FairPolicy, AnUrgentEntityIsPickedBeforeEveryGroupAndStillCharged) {
    Simulation simulation({100, 100, 1}, {1, 1, 1});
    simulation.run(300);  // the weight-1 group is now far behind
    Entity& victim = simulation.entities[2];
    simulation.policy.remove(victim);
    simulation.policy.enqueue_urgent(victim);
    EXPECT_TRUE(simulation.policy.should_preempt(simulation.entities[0], victim));
    u64 virtual_before = simulation.groups[2].virtual_runtime;
    EXPECT_EQ(simulation.policy.pick_next(), &victim);
    simulation.policy.charge(victim, slice);
    EXPECT_GT(simulation.groups[2].virtual_runtime, virtual_before);
    // Removing an urgent entity takes it off the urgent list.
    simulation.policy.enqueue_urgent(victim);
    simulation.policy.remove(victim);
    EXPECT_NE(simulation.policy.pick_next(), &victim);
}
