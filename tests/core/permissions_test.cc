// Tests of MayOpenReadWrite: the owner/group/other rules of an accel node.
#include "core/permissions.h"

#include <gtest/gtest.h>

#include <vector>

namespace accel::core {
namespace {

const NodePermissions kRender{0660, 0, 107};

TEST(PermissionsTest, RootAlwaysMay) {
  EXPECT_TRUE(MayOpenReadWrite({0000, 0, 0}, 0, 0, {}));
}

TEST(PermissionsTest, OtherUserDeniedBy0660) {
  EXPECT_FALSE(MayOpenReadWrite(kRender, 1000, 1000, {}));
}

TEST(PermissionsTest, PrimaryGroupAdmitted) {
  EXPECT_TRUE(MayOpenReadWrite(kRender, 1000, 107, {}));
}

TEST(PermissionsTest, SupplementaryGroupAdmitted) {
  std::vector<uint32_t> groups = {24, 107};
  EXPECT_TRUE(MayOpenReadWrite(kRender, 1000, 1000, groups));
}

TEST(PermissionsTest, ReadOnlyGroupBitsAreNotEnough) {
  EXPECT_FALSE(MayOpenReadWrite({0640, 0, 107}, 1000, 107, {}));
}

TEST(PermissionsTest, OwnerUsesOwnerBitsEvenIfGroupWouldAllow) {
  EXPECT_FALSE(MayOpenReadWrite({0060, 1000, 107}, 1000, 107, {}));
  EXPECT_TRUE(MayOpenReadWrite({0600, 1000, 107}, 1000, 5, {}));
}

TEST(PermissionsTest, WorldWritableAdmitsEveryone) {
  EXPECT_TRUE(MayOpenReadWrite({0666, 0, 107}, 4242, 4242, {}));
}

}  // namespace
}  // namespace accel::core
