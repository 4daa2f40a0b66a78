// sample.h: what extract_examples.sh takes and what it leaves.
//
//   int a = 1;
//   for (int x : {1, 2}) { ... }
//   ... more of the reader's code ...
//
// Prose, then a list:
//  * an item whose text goes on
//    indented under it (prose, not an example).
//
// A shell session:
//
//   $ nc 127.0.0.1 7777
//   ps
//
//   TEST(Sample, AtNamespaceScope) {
//     EXPECT_EQ(given, 2);
//   }
#ifndef SAMPLE_H_
//   int not_in_the_top_comment;
#endif
